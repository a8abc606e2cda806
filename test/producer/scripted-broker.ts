// A one-node Kafka stand-in whose Produce answers a test scripts (leader errors, lost sequences,
// silence), built on the protocol codec: exercises the producer's retry and idempotence paths.
import net from 'node:net';
import { decodeRequest, decodeRequestHeader, encodeResponse, type ProduceRequest, type ProduceResponse } from '../../src/protocol/index.js';
import { RecordBatchView } from '../../src/protocol/records.js';

/** One partition's batch as the scripted broker received it. */
export interface ReceivedBatch {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  bytes: Buffer;
}

/** The answer for one partition: an error code, or null to accept (next offsets). */
export type ProduceScript = (batch: ReceivedBatch, attempt: number) => number | 'silent' | null;

/** A scripted single-broker cluster on 127.0.0.1. */
export class ScriptedBroker {
  readonly received: ReceivedBatch[] = [];
  /** Next offset per `${topic}-${partition}`. */
  private readonly logEnd = new Map<string, bigint>();
  private readonly sockets = new Set<net.Socket>();
  produceScript: ProduceScript = () => null;
  /** Lists topics and partitions in a Produce response in the reverse of the request's order. */
  answerInReverse = false;
  initProducerIdCalls = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly topics: Record<string, number>,
  ) {}

  /** Starts serving `topics` (name → partition count), all led by node 1 (this server). */
  static async start(topics: Record<string, number>): Promise<ScriptedBroker> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const b = new ScriptedBroker(server, (server.address() as net.AddressInfo).port, topics);
    server.on('connection', (s) => b.serve(s));
    return b;
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const h = decodeRequestHeader(frame);
        const body = decodeRequest(h.requestApiKey, h.requestApiVersion, frame, h.bodyOffset) as never;
        const res = this.handle(h.requestApiKey, h.requestApiVersion, body);
        if (res !== null) for (const c of encodeResponse(h.requestApiKey, h.requestApiVersion, h.correlationId, res)) socket.write(c);
      }
    });
  }

  private handle(apiKey: number, version: number, body: unknown): object | null {
    switch (apiKey) {
      case 18:
        return {
          errorCode: 0,
          apiKeys: [
            { apiKey: 0, minVersion: 3, maxVersion: 11 },
            { apiKey: 3, minVersion: 1, maxVersion: 12 },
            { apiKey: 18, minVersion: 0, maxVersion: 4 },
            { apiKey: 22, minVersion: 0, maxVersion: 5 },
          ],
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        };
      case 3:
        return {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port, rack: null }],
          clusterId: 'scripted',
          controllerId: 1,
          clusterAuthorizedOperations: -2147483648,
          topics: Object.entries(this.topics).map(([name, n]) => ({
            errorCode: 0,
            name,
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            isInternal: false,
            topicAuthorizedOperations: -2147483648,
            partitions: Array.from({ length: n }, (_, i) => ({
              errorCode: 0,
              partitionIndex: i,
              leaderId: 1,
              leaderEpoch: 0,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            })),
          })),
        };
      case 22:
        this.initProducerIdCalls++;
        return { throttleTimeMs: 0, errorCode: 0, producerId: 42n, producerEpoch: 0 };
      case 0:
        return this.produce(body as ProduceRequest, version);
      default:
        throw new Error(`scripted broker: unexpected api ${apiKey}`);
    }
  }

  private produce(req: ProduceRequest, _version: number): ProduceResponse | null {
    let silent = false;
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        const view = new RecordBatchView(p.records!);
        const batch: ReceivedBatch = {
          topic: t.name,
          partition: p.index,
          producerId: view.producerId,
          producerEpoch: view.producerEpoch,
          baseSequence: view.baseSequence,
          recordCount: view.recordCount,
          bytes: Buffer.from(p.records!),
        };
        this.received.push(batch);
        const attempt = this.received.filter((r) => r.topic === t.name && r.partition === p.index).length;
        const verdict = this.produceScript(batch, attempt);
        if (verdict === 'silent') silent = true;
        const key = `${t.name}-${p.index}`;
        const base = this.logEnd.get(key) ?? 0n;
        const ok = verdict === null;
        if (ok) this.logEnd.set(key, base + BigInt(batch.recordCount));
        return {
          index: p.index,
          errorCode: ok ? 0 : verdict === 'silent' ? 0 : verdict,
          baseOffset: ok ? base : -1n,
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        };
      }),
    }));
    if (silent || req.acks === 0) return null;
    if (this.answerInReverse) for (const t of responses.reverse()) t.partitionResponses.reverse();
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
