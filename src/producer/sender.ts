// Kafka's Sender: the background loop that gets a producer id, keeps metadata fresh, drains
// ready batches into one ProduceRequest per broker, and completes, retries or fails each batch.
import { exponentialBackoff } from './backoff.js';
import { KafkaProducerError, errorNameOf, isInvalidMetadata, type ErrorName } from './errors.js';
import type { IdempotenceManager } from './idempotence.js';
import type { ProducerMetadata } from './metadata.js';
import type { BrokerConnection } from './broker-connection.js';
import { NetworkClient } from './network-client.js';
import { decodeProduceResponse, encodeProduceRequest, type ProducePartitionData, type ProducePartitionResult, type ProduceResult } from '../protocol/produce-client.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerConfig } from './producer-config.js';
import type { RecordAccumulator } from './record-accumulator.js';

const PRODUCE = 0;
const METADATA = 3;
const INIT_PRODUCER_ID = 22;

/** What the sender reports to the producer. */
export interface SenderHost {
  emit(event: string, payload: unknown): void;
  /** Metadata changed: appends waiting for a topic or partition may proceed. */
  onMetadataUpdate(): void;
  /** The producer can no longer send (e.g. InitProducerId refused for good). */
  onFatalError(err: KafkaProducerError): void;
  /** Whether anything waits on the sender (keeps its timer from letting the process exit). */
  isBusy(): boolean;
}

/** Counters for metrics(). */
export interface SenderStats {
  requestsSent: number;
  recordsSent: number;
  recordsFailed: number;
  retries: number;
}

/** The producer's I/O loop, run on demand (wakeup) and on timers, never busy-polling. */
export class Sender {
  readonly client: NetworkClient;
  readonly stats: SenderStats = { requestsSent: 0, recordsSent: 0, recordsFailed: 0, retries: 0 };
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (Date.now() ms). */
  private timerAt = 0;
  /** Connections corked during this run's sends, uncorked together at its end (one writev each). */
  private readonly corked: BrokerConnection[] = [];
  private readonly inFlightBatches = new Set<ProducerBatch>();
  private metadataInFlight = false;
  private initInFlight = false;
  private initAttempts = 0;
  private initRetryAtMs = 0;
  private closed = false;
  /** The fatal error was reported to the producer (one 'error' event). */
  private fatalReported = false;
  private readonly guaranteeMessageOrder: boolean;
  /** Longest wait between runs while anything is pending (see schedule). */
  private readonly maxPollMs: number;

  constructor(
    private readonly config: ProducerConfig,
    private readonly metadata: ProducerMetadata,
    private readonly accumulator: RecordAccumulator,
    private readonly idempotence: IdempotenceManager | null,
    private readonly host: SenderHost,
  ) {
    this.guaranteeMessageOrder = config.maxInFlightRequestsPerConnection === 1;
    this.maxPollMs = Math.max(1, Math.min(config.requestTimeoutMs, Math.max(config.retryBackoffMaxMs, config.reconnectBackoffMaxMs)));
    this.client = new NetworkClient(config, metadata, {
      onWake: () => this.wakeup(),
      onConnect: (nodeId, hostName, port) => host.emit('connect', { nodeId, host: hostName, port }),
      onDisconnect: (nodeId, reason) => host.emit('disconnect', { nodeId, reason }),
    });
  }

  /** Batches sent and not yet answered. */
  get inFlightBatchCount(): number {
    return this.inFlightBatches.size;
  }

  /** Runs the loop soon (coalesced: one run per turn of the event loop). */
  wakeup(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /**
   * Arms the timer for the next run. While anything is pending (records, a producer id, waiting
   * sends) the run after this one is at most maxPollMs away, as Java's NetworkClient.poll never
   * blocks longer than its bounded timeout: a state change whose wake-up got lost (a connection
   * becoming ready, a backoff ending) then costs one poll interval instead of stalling batches
   * until deliveryTimeoutMs. An idle producer arms nothing (records arriving wake it).
   */
  private schedule(delayMs: number, now: number): void {
    if (this.closed) return this.clearTimer();
    const busy = this.host.isBusy();
    if (busy && delayMs > this.maxPollMs) delayMs = this.maxPollMs;
    if (delayMs === Number.POSITIVE_INFINITY) return this.clearTimer();
    if (delayMs <= 0) {
      this.clearTimer();
      return this.wakeup();
    }
    const at = now + Math.min(delayMs, 2 ** 31 - 1);
    // The armed timer already fires soon enough (an early run only looks again): keep it.
    if (this.timer === null || this.timerAt > at) {
      this.clearTimer();
      this.timerAt = at;
      this.timer = setTimeout(this.onTimer, at - now);
    }
    // Pending work keeps the process alive until it is done; an idle producer does not.
    if (busy) this.timer.ref();
    else this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.wakeup();
  };

  private readonly run = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    const now = Date.now();
    let delay = Number.POSITIVE_INFINITY;
    const idem = this.idempotence;
    if (idem !== null) {
      idem.maybeResolveSequences();
      // Java's runOnce: in the fatal state nothing more is sent; what is left fails with the error.
      if (idem.fatalError !== null) return this.abortIncompleteBatches(idem.fatalError);
      idem.bumpEpochIfNeeded();
      if (!idem.hasProducerId()) delay = Math.min(delay, this.maybeInitProducerId(now));
    }
    delay = Math.min(delay, this.sendProducerData(now));
    // After the drain, which may have asked for a refresh (partitions without a leader).
    delay = Math.min(delay, this.maybeUpdateMetadata(now));
    this.schedule(delay, now);
  };

  /** Enters the idempotent producer's fatal state (Java's transitionToFatalError) once. */
  private transitionToFatalError(err: KafkaProducerError): void {
    const idem = this.idempotence!;
    if (idem.fatalError === null) idem.transitionToFatalError(err);
    this.reportFatalError();
  }

  /** Tells the producer (one 'error') and fails every incomplete batch with the fatal error. */
  private reportFatalError(): void {
    const err = this.idempotence?.fatalError;
    if (!err || this.fatalReported) return;
    this.fatalReported = true;
    this.host.onFatalError(err);
    this.abortIncompleteBatches(err);
  }

  /** Java's maybeAbortBatches: fails queued and in-flight batches (late answers are then ignored). */
  private abortIncompleteBatches(err: KafkaProducerError): void {
    this.clearTimer();
    for (const b of this.accumulator.incompleteBatches()) {
      this.inFlightBatches.delete(b);
      this.failBatch(b, err);
    }
  }

  private maybeUpdateMetadata(now: number): number {
    if (this.metadataInFlight) return Number.POSITIVE_INFINITY;
    const wait = this.metadata.timeToNextUpdate(now);
    if (wait > 0) return wait;
    const node = this.client.leastLoadedNode(now);
    if (node === null) return Math.max(this.config.reconnectBackoffMs, Math.min(this.client.nextConnectDelay(now), this.config.reconnectBackoffMaxMs));
    if (!node.ready) return Number.POSITIVE_INFINITY; // woken when the connection is ready or fails
    const conn = this.client.connection(node.nodeId)!;
    this.metadataInFlight = true;
    const requestVersion = this.metadata.currentRequestVersion;
    conn.send(METADATA, this.metadata.newRequest(this.config.allowAutoCreateTopics)).then(
      (res) => {
        this.metadataInFlight = false;
        if (this.closed) return;
        this.metadata.update(res, Date.now(), requestVersion);
        this.host.emit('metadata', { brokers: res.brokers.length, topics: res.topics.length });
        this.host.onMetadataUpdate();
        this.wakeup();
      },
      () => {
        this.metadataInFlight = false;
        this.metadata.failedUpdate(Date.now());
        this.wakeup();
      },
    );
    return Number.POSITIVE_INFINITY;
  }

  private maybeInitProducerId(now: number): number {
    if (this.initInFlight) return Number.POSITIVE_INFINITY;
    if (now < this.initRetryAtMs) return this.initRetryAtMs - now;
    const node = this.client.leastLoadedNode(now);
    if (node === null) return Math.max(this.config.reconnectBackoffMs, Math.min(this.client.nextConnectDelay(now), this.config.reconnectBackoffMaxMs));
    if (!node.ready) return Number.POSITIVE_INFINITY;
    const conn = this.client.connection(node.nodeId)!;
    this.initInFlight = true;
    const retry = (err: KafkaProducerError) => {
      this.initAttempts++;
      this.initRetryAtMs = Date.now() + exponentialBackoff(this.config.retryBackoffMs, this.config.retryBackoffMaxMs, this.initAttempts - 1);
      this.host.emit('retry', { api: 'InitProducerId', attempts: this.initAttempts, error: err });
    };
    conn.send(INIT_PRODUCER_ID, { transactionalId: null, transactionTimeoutMs: this.config.transactionTimeoutMs, producerId: -1n, producerEpoch: -1 }).then(
      (res) => {
        this.initInFlight = false;
        if (this.closed || this.idempotence!.fatalError !== null) return;
        if (res.errorCode === 0) {
          this.initAttempts = 0;
          this.idempotence!.setProducerIdAndEpoch(res.producerId, res.producerEpoch);
          this.host.emit('producer-id', { producerId: res.producerId, producerEpoch: res.producerEpoch });
        } else {
          const err = KafkaProducerError.fromCode(res.errorCode, 'InitProducerId');
          if (err.retriable) retry(err);
          // Java's InitProducerIdHandler: any other answer is fatal, a fenced epoch as PRODUCER_FENCED.
          else if (err.type === 'INVALID_PRODUCER_EPOCH') this.transitionToFatalError(new KafkaProducerError('PRODUCER_FENCED', 'PRODUCER_FENCED: InitProducerId'));
          else this.transitionToFatalError(err);
        }
        this.wakeup();
      },
      (err: KafkaProducerError) => {
        this.initInFlight = false;
        if (this.closed || this.idempotence!.fatalError !== null) return;
        if (err.type === 'UNSUPPORTED_VERSION') this.transitionToFatalError(new KafkaProducerError('UNSUPPORTED_VERSION', 'The broker does not support InitProducerId: idempotence needs Kafka 0.11+ (set idempotence: false)'));
        else retry(err);
        this.wakeup();
      },
    );
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Drains ready batches into Produce requests; drains again while connections have request slots
   * and batches are ready (each request still holds at most one batch per partition, as Java's),
   * with sockets corked so the requests of one run leave in one write.
   */
  private sendProducerData(now: number): number {
    let delay = Number.POSITIVE_INFINITY;
    for (let round = 0; round < this.config.maxInFlightRequestsPerConnection; round++) {
      const result = this.accumulator.ready(this.metadata, now);
      if (result.unknownLeaderTopics.length > 0) {
        for (const t of result.unknownLeaderTopics) this.metadata.add(t);
        this.metadata.requestUpdate();
      }
      delay = result.nextReadyCheckDelayMs;
      const nodes: number[] = [];
      for (const id of result.readyNodes) {
        if (this.client.ready(id, now)) nodes.push(id);
        else delay = Math.min(delay, this.client.connectionDelay(id, now));
      }
      if (nodes.length === 0) break;
      const drained = this.accumulator.drain(this.metadata, nodes, this.idempotence, now);
      let sent = false;
      for (let i = 0; i < nodes.length; i++) {
        if (drained[i].length === 0) continue;
        this.sendProduceRequest(nodes[i], drained[i]);
        sent = true;
      }
      if (!sent || !this.accumulator.hasUndrained()) break;
      delay = 0; // more may be ready once this run's requests are out
    }
    for (const conn of this.corked) conn.uncork();
    this.corked.length = 0;
    for (const b of this.accumulator.expiredBatches(now)) this.expire(b, now);
    // Deleting the entry being visited is safe in a Set's iteration.
    for (const b of this.inFlightBatches) {
      if (now - b.createdMs >= this.config.deliveryTimeoutMs) {
        this.inFlightBatches.delete(b);
        this.expire(b, now);
      }
    }
    delay = Math.min(delay, this.accumulator.nextExpiryDelay(now));
    for (const b of this.inFlightBatches) delay = Math.min(delay, Math.max(0, b.createdMs + this.config.deliveryTimeoutMs - now));
    return delay;
  }

  private expire(batch: ProducerBatch, now: number): void {
    const err = new KafkaProducerError(
      'REQUEST_TIMED_OUT',
      `Expiring ${batch.recordCount} record(s) for ${batch.tp.topic}-${batch.tp.partition}: ${now - batch.createdMs} ms has passed since batch creation`,
    );
    if (this.guaranteeMessageOrder) this.accumulator.unmute(batch.tp);
    this.failBatch(batch, err);
    // Sent at least once: whether the broker wrote it is unknown, so the partition drains no new
    // batch until its in-flight batches settle (Java's markSequenceUnresolved).
    if (this.idempotence !== null && batch.hasSequence) this.idempotence.markSequenceUnresolved(batch);
  }

  private sendProduceRequest(nodeId: number, drained: ProducerBatch[]): void {
    const conn = this.client.connection(nodeId)!;
    if (!this.corked.includes(conn)) {
      conn.cork();
      this.corked.push(conn);
    }
    // One topic entry per topic: the request lists a topic's batches together, and the response
    // is matched to them by position.
    const batches = groupByTopic(drained);
    const partitions: ProducePartitionData[] = new Array(batches.length);
    let records = 0;
    let bytes = 0;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i];
      const data = b.records();
      partitions[i] = { topic: b.tp.topic, partition: b.tp.partition, records: data };
      records += b.recordCount;
      bytes += data.length;
      this.inFlightBatches.add(b);
      if (this.guaranteeMessageOrder) this.accumulator.mute(b.tp);
    }
    const acks = this.config.acks;
    const timeoutMs = this.config.requestTimeoutMs;
    const encode = (version: number, correlationId: number, clientId: string) => encodeProduceRequest(version, correlationId, clientId, null, acks, timeoutMs, partitions);
    this.stats.requestsSent++;
    this.host.emit('request', { nodeId, apiKey: PRODUCE, batches: batches.length, records, bytes });
    if (acks === 0) {
      conn.sendEncoded(PRODUCE, encode, decodeProduceResponse, false, (err) => {
        if (err) return this.onTransportError(batches, err);
        for (const b of batches) this.completeBatch(b, 'NONE', null, null);
        this.wakeup();
      });
      return;
    }
    conn.sendEncoded(PRODUCE, encode, decodeProduceResponse, true, (err, res) => (err ? this.onTransportError(batches, err) : this.onProduceResponse(batches, res!)));
  }

  /**
   * A request without an answer: timeouts and lost connections are retried; what cannot be sent
   * at all (no usable Produce version, a request that cannot be encoded) fails the batches with
   * its own error (Java's versionMismatch branch: UNSUPPORTED_VERSION).
   */
  private onTransportError(batches: ProducerBatch[], err: KafkaProducerError): void {
    const type: ErrorName = err.type === 'PRODUCER_CLOSED' || err.retriable ? (err.type === 'REQUEST_TIMED_OUT' ? 'REQUEST_TIMED_OUT' : 'NETWORK_EXCEPTION') : err.type;
    for (const b of batches) this.completeBatch(b, type, null, err.message);
    this.metadata.requestUpdate();
    this.wakeup();
  }

  /** Brokers answer partitions in request order: batch i takes answer i, else it is looked up. */
  private onProduceResponse(batches: ProducerBatch[], res: ProduceResult): void {
    const answers = res.partitions;
    const n = batches.length;
    /** Which batches have their answer, once answers stop lining up with batches. */
    let answered: boolean[] | null = null;
    for (let i = 0; i < answers.length; i++) {
      const p = answers[i];
      let k = i;
      if (answered === null && (k >= n || batches[k].tp.partition !== p.index || batches[k].tp.topic !== p.topic)) answered = batches.map((_, j) => j < i);
      if (answered !== null) {
        const seen = answered;
        k = batches.findIndex((b, j) => !seen[j] && b.tp.partition === p.index && b.tp.topic === p.topic);
        if (k < 0) continue;
        seen[k] = true;
      }
      if (p.errorCode !== 0 && p.leaderId >= 0) {
        const ep = res.nodeEndpoints.find((e) => e.nodeId === p.leaderId);
        this.metadata.updateLeader(p.topic, p.index, p.leaderId, p.leaderEpoch, ep && { host: ep.host, port: ep.port });
      }
      this.completeBatch(batches[k], errorNameOf(p.errorCode), p, p.errorMessage);
    }
    for (let j = answered === null ? answers.length : 0; j < n; j++) {
      if (answered === null || !answered[j]) this.completeBatch(batches[j], 'UNKNOWN_SERVER_ERROR', null, 'The broker did not answer for this partition');
    }
    // The answer freed an in-flight slot: the next ready request goes out now, before the
    // records' promise reactions (queued by completeBatch) run user code, and not a turn of the
    // event loop later (a wakeup), so the connection's pipeline stays full.
    if (!this.closed) this.run();
  }

  /** Java's completeBatch: success, retry, duplicate (success without offset) or failure. */
  private completeBatch(batch: ProducerBatch, type: ErrorName, response: ProducePartitionResult | null, message: string | null): void {
    this.inFlightBatches.delete(batch);
    if (this.guaranteeMessageOrder) this.accumulator.unmute(batch.tp);
    const baseOffset = response?.baseOffset ?? -1n;
    if (batch.done) {
      // Expired while in flight: the user was told; the answer still settles the sequence.
      if (type === 'NONE') this.idempotence?.handleCompletedBatch(batch, baseOffset);
      return;
    }
    if (type === 'NONE') return this.succeed(batch, baseOffset, response);
    const err = new KafkaProducerError(type, message ? `${type}: ${message}` : type);
    if (this.canRetry(batch, err, response)) {
      this.stats.retries++;
      this.host.emit('retry', { topic: batch.tp.topic, partition: batch.tp.partition, attempts: batch.attempts + 1, error: err });
      this.accumulator.reenqueue(batch, Date.now());
    } else if (type === 'DUPLICATE_SEQUENCE_NUMBER') {
      // Written before, and the broker no longer knows where: success without an offset (Java).
      this.succeed(batch, -1n, response);
    } else {
      // Sequences are adjusted (an epoch bump) only while retries were left: after the last one,
      // whether the broker wrote the batch is unknown (Java's failBatch(..., attempts < retries)).
      this.failBatch(batch, err, batch.attempts < this.config.retries);
    }
    if (isInvalidMetadata(type)) this.metadata.requestUpdate();
  }

  private canRetry(batch: ProducerBatch, err: KafkaProducerError, response: ProducePartitionResult | null): boolean {
    if (Date.now() - batch.createdMs >= this.config.deliveryTimeoutMs) return false;
    if (batch.attempts >= this.config.retries) return false;
    if (this.idempotence === null) return err.retriable;
    return this.idempotence.canRetry(err.type as ErrorName, batch, BigInt(response?.logStartOffset ?? -1), err.retriable);
  }

  private succeed(batch: ProducerBatch, baseOffset: bigint, response: ProducePartitionResult | null): void {
    this.idempotence?.handleCompletedBatch(batch, baseOffset);
    this.stats.recordsSent += batch.recordCount;
    batch.complete(this.config.acks === 0 ? -1n : baseOffset, response ? response.logAppendTimeMs : -1);
    // Answered (or, with acks=0, written): the socket no longer reads the batch's buffer.
    this.accumulator.deallocate(batch, true);
  }

  /**
   * Fails a batch for good: every record's promise rejects with err. A fatal error (fenced,
   * not authorized, unsupported) stops the idempotent producer.
   */
  failBatch(batch: ProducerBatch, err: KafkaProducerError, adjustSequenceNumbers = false): void {
    if (batch.done) return;
    this.idempotence?.handleFailedBatch(batch, err, adjustSequenceNumbers);
    this.stats.recordsFailed += batch.recordCount;
    batch.fail(err);
    this.accumulator.deallocate(batch);
    if (this.idempotence?.fatalError) this.reportFatalError();
  }

  /** Stops the loop and closes every connection (in-flight requests fail). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client.close();
  }
}

/** The batches with each topic's together (first-seen topic order); the same array when already so. */
function groupByTopic(batches: ProducerBatch[]): ProducerBatch[] {
  let grouped = true;
  for (let i = 2; i < batches.length && grouped; i++) {
    const t = batches[i].tp.topic;
    if (t !== batches[i - 1].tp.topic) for (let j = 0; j < i - 1; j++) if (batches[j].tp.topic === t) grouped = false;
  }
  if (grouped) return batches;
  const byTopic = new Map<string, ProducerBatch[]>();
  for (const b of batches) {
    const list = byTopic.get(b.tp.topic);
    if (list) list.push(b);
    else byTopic.set(b.tp.topic, [b]);
  }
  return [...byTopic.values()].flat();
}
