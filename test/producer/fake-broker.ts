// A scriptable one-node Kafka stand-in for the producer tests: every API answer can be overridden
// (ApiVersions, Metadata, InitProducerId, Produce per batch), requests and connections are counted,
// received batches are kept, and Produce can check idempotent sequences the way a
// Kafka partition leader does.
import net from 'node:net';
import { afterEach } from 'vitest';
import { Producer, type KafkaProducerError, type ProducerOptions } from '../../src/producer/index.js';
import { decodeRequest, decodeRequestHeader, encodeResponse, type ProduceRequest, type ProduceResponse } from '../../src/protocol/index.js';
import { RecordBatchView } from '../../src/protocol/records.js';

/** One partition's batch as received. */
export interface ReceivedBatch {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** Produce request version it came in. */
  version: number;
  /** Which Produce request (1, 2, …) carried it. */
  request: number;
}

/** A Produce verdict for one batch: accept (null), an error code, 'silent' (no response), or 'disconnect'. */
export type Verdict = number | null | 'silent' | 'disconnect';

/**
 * How the broker answers one request outside Produce (see FakeBroker.answerScript): after delayMs
 * (later answers on the connection wait behind it, as Kafka answers in order), with errorCode in
 * place of success, or not at all ('silent') or by dropping the connection ('disconnect').
 */
export type Answer = { delayMs?: number; errorCode?: number } | 'silent' | 'disconnect';

/** Default ApiVersions ranges (Kafka 4.1's for the APIs a producer uses). */
export const DEFAULT_API_VERSIONS: { apiKey: number; minVersion: number; maxVersion: number }[] = [
  { apiKey: 0, minVersion: 3, maxVersion: 12 },
  { apiKey: 3, minVersion: 0, maxVersion: 13 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
  { apiKey: 22, minVersion: 0, maxVersion: 5 },
];

interface PartitionLog {
  next: bigint;
  producerEpoch: number;
  nextSequence: number;
}

/** A fake single-broker cluster on 127.0.0.1 (node 1). */
export class FakeBroker {
  readonly received: ReceivedBatch[] = [];
  /** Requests per api key. */
  readonly requests = new Map<number, number>();
  /** Request versions seen per api key, in arrival order. */
  readonly versions = new Map<number, number[]>();
  connections = 0;
  apiVersions = DEFAULT_API_VERSIONS;
  /** Topic → partition count; a missing topic answers UNKNOWN_TOPIC_OR_PARTITION. */
  topics: Record<string, number>;
  /** Leader epoch reported for every partition. */
  leaderEpoch = 0;
  /** Partition leader reported (-1: no leader). */
  leaderId = 1;
  /** InitProducerId error code (0: hand out id 42, epoch 0). */
  initProducerIdError = 0;
  /** When set, Produce checks sequences as a Kafka leader: new epoch starts at 0, gaps are OUT_OF_ORDER_SEQUENCE_NUMBER. */
  checkSequences = false;
  /** Lists topics and partitions in a Produce response in the reverse of the request's order. */
  answerInReverse = false;
  /** Per-batch fault injection (attempt: how many batches this partition has received, this one
   * included), consulted before the sequence check; undefined falls through to it. */
  produceScript: (b: ReceivedBatch, attempt: number) => Verdict | undefined = () => undefined;
  /** Fault injection for ApiVersions, Metadata and InitProducerId (n: how many requests of apiKey, this one included). */
  answerScript: (apiKey: number, n: number) => Answer | undefined = () => undefined;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly sockets = new Set<net.Socket>();
  private readonly attempts = new Map<string, number>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    topics: Record<string, number>,
  ) {
    this.topics = topics;
  }

  /** Starts serving `topics` (name → partition count), all led by node 1 (this server). */
  static async start(topics: Record<string, number>): Promise<FakeBroker> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const b = new FakeBroker(server, (server.address() as net.AddressInfo).port, topics);
    server.on('connection', (s) => b.serve(s));
    return b;
  }

  /** Requests received with this api key. */
  count(apiKey: number): number {
    return this.requests.get(apiKey) ?? 0;
  }

  /** Records appended to topic-partition so far. */
  logEnd(topic: string, partition: number): bigint {
    return this.logs.get(`${topic}-${partition}`)?.next ?? 0n;
  }

  private serve(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    // Answers queued behind a delayed one (null: none is pending, answer at once).
    let tail: Promise<void> | null = null;
    const answer = (delayMs: number, write: () => void) => {
      if (tail === null && delayMs <= 0) return write();
      const next: Promise<void> = (tail ?? Promise.resolve())
        .then(() => (delayMs > 0 ? sleep(delayMs) : undefined))
        .then(() => {
          if (!socket.destroyed) write();
          if (tail === next) tail = null;
        });
      tail = next;
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const h = decodeRequestHeader(frame);
        this.requests.set(h.requestApiKey, this.count(h.requestApiKey) + 1);
        this.versions.set(h.requestApiKey, [...(this.versions.get(h.requestApiKey) ?? []), h.requestApiVersion]);
        const scripted = h.requestApiKey === 0 ? undefined : this.answerScript(h.requestApiKey, this.count(h.requestApiKey));
        if (scripted === 'silent') continue;
        if (scripted === 'disconnect') {
          socket.destroy();
          return;
        }
        const delayMs = scripted?.delayMs ?? 0;
        const apiVersionsMax = this.apiVersions.find((k) => k.apiKey === 18)?.maxVersion ?? 0;
        if (h.requestApiKey === 18 && h.requestApiVersion > apiVersionsMax) {
          // Kafka answers an ApiVersions version it does not know with a v0 body: UNSUPPORTED_VERSION and its ranges.
          const correlationId = h.correlationId;
          answer(delayMs, () => {
            for (const c of encodeResponse(18, 0, correlationId, { errorCode: 35, apiKeys: this.apiVersions } as never)) socket.write(c);
          });
          continue;
        }
        const body = decodeRequest(h.requestApiKey, h.requestApiVersion, frame, h.bodyOffset) as never;
        const res = this.handle(h.requestApiKey, h.requestApiVersion, body, scripted?.errorCode);
        if (res === 'disconnect') {
          socket.destroy();
          return;
        }
        if (res !== null) {
          const { requestApiKey, requestApiVersion, correlationId } = h;
          answer(delayMs, () => {
            for (const c of encodeResponse(requestApiKey, requestApiVersion, correlationId, res)) socket.write(c);
          });
        }
      }
    });
  }

  private handle(apiKey: number, version: number, body: unknown, errorCode: number | undefined): object | null | 'disconnect' {
    switch (apiKey) {
      case 18:
        return {
          errorCode: errorCode ?? 0,
          apiKeys: this.apiVersions,
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        };
      case 3: {
        const req = body as { topics: { name: string }[] | null };
        const names = req.topics === null ? Object.keys(this.topics) : req.topics.map((t) => t.name);
        return {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port, rack: null }],
          clusterId: 'fake',
          controllerId: 1,
          clusterAuthorizedOperations: -2147483648,
          topics: names.map((name) => {
            const n = this.topics[name];
            // A scripted error is a topic-level one (Kafka: LEADER_NOT_AVAILABLE right after creating a topic).
            if (errorCode !== undefined) {
              return { errorCode, name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, topicAuthorizedOperations: -2147483648, partitions: [] };
            }
            return {
              errorCode: n === undefined ? 3 : 0,
              name,
              topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
              isInternal: false,
              topicAuthorizedOperations: -2147483648,
              partitions: Array.from({ length: n ?? 0 }, (_, i) => ({
                errorCode: this.leaderId < 0 ? 5 : 0,
                partitionIndex: i,
                leaderId: this.leaderId,
                leaderEpoch: this.leaderEpoch,
                replicaNodes: [1],
                isrNodes: [1],
                offlineReplicas: [],
              })),
            };
          }),
        };
      }
      case 22: {
        const error = errorCode ?? this.initProducerIdError;
        return { throttleTimeMs: 0, errorCode: error, producerId: error === 0 ? 42n : -1n, producerEpoch: error === 0 ? 0 : -1 };
      }
      case 0:
        return this.produce(body as ProduceRequest, version);
      default:
        throw new Error(`fake broker: unexpected api ${apiKey}`);
    }
  }

  private produce(req: ProduceRequest, version: number): ProduceResponse | null | 'disconnect' {
    const request = this.count(0);
    let silent = false;
    let disconnect = false;
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const view = new RecordBatchView(p.records!);
        const r: ReceivedBatch = {
          topic: t.name,
          partition: p.index,
          producerId: view.producerId,
          producerEpoch: view.producerEpoch,
          baseSequence: view.baseSequence,
          recordCount: view.recordCount,
          version,
          request,
        };
        this.received.push(r);
        const key = `${t.name}-${p.index}`;
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        let verdict = this.produceScript(r, attempt);
        const log = this.logs.get(key) ?? { next: 0n, producerEpoch: -1, nextSequence: 0 };
        if (verdict === undefined) verdict = this.checkSequences ? this.sequenceVerdict(log, r) : null;
        if (verdict === 'silent') silent = true;
        if (verdict === 'disconnect') disconnect = true;
        const base = log.next;
        const ok = verdict === null;
        if (ok) {
          log.next += BigInt(r.recordCount);
          if (r.producerId >= 0) {
            log.producerEpoch = r.producerEpoch;
            log.nextSequence = r.baseSequence + r.recordCount;
          }
          this.logs.set(key, log);
        }
        return {
          index: p.index,
          errorCode: typeof verdict === 'number' ? verdict : 0,
          baseOffset: ok ? base : -1n,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        };
      }),
    }));
    if (disconnect) return 'disconnect';
    if (silent || req.acks === 0) return null;
    if (this.answerInReverse) for (const t of responses.reverse()) t.partitionResponses.reverse();
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  }

  /** Kafka's leader-side sequence check (duplicates of the last batch are not modelled). */
  private sequenceVerdict(log: PartitionLog, r: ReceivedBatch): Verdict {
    if (r.producerId < 0) return null;
    if (r.producerEpoch < log.producerEpoch) return 47; // INVALID_PRODUCER_EPOCH
    if (r.producerEpoch > log.producerEpoch) return r.baseSequence === 0 ? null : 45;
    return r.baseSequence === log.nextSequence ? null : 45; // OUT_OF_ORDER_SEQUENCE_NUMBER
  }

  /** Drops every connection (the listener stays up). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A producer on a fresh FakeBroker, as the producer tests set up: the test's handles to both. */
export interface FakeCluster {
  b: FakeBroker;
  p: Producer;
}

/**
 * The producer tests' fixture: `setup` starts a FakeBroker with `topics` and a Producer on it
 * (no linger, quick retries, then `defaults`, then the test's options); `track` adds producers a
 * test builds itself. Everything is closed after each test.
 */
export function fakeClusterFixture(defaults: Partial<ProducerOptions> = {}) {
  let broker: FakeBroker | undefined;
  const producers: Producer[] = [];
  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.close({ timeoutMs: 0 })));
    await broker?.stop();
    broker = undefined;
  });
  const track = (p: Producer) => {
    producers.push(p);
    return p;
  };
  const setup = async (options: Partial<ProducerOptions> = {}, topics: Record<string, number> = { t: 1 }): Promise<FakeCluster> => {
    const b = (broker = await FakeBroker.start(topics));
    const p = track(new Producer({ bootstrapServers: [`127.0.0.1:${b.port}`], lingerMs: 0, retryBackoffMs: 10, retryBackoffMaxMs: 20, ...defaults, ...options }));
    return { b, p };
  };
  return { setup, track };
}

/** A record's outcome: 'ok', or the Kafka error name it was rejected with. */
export const outcome = (pr: Promise<unknown>) =>
  pr.then(
    () => 'ok',
    (e: KafkaProducerError) => e.type,
  );

/** Waits `ms` (for tests that must show something does NOT happen within a while). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
