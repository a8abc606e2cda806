// The public Producer (Kafka's KafkaProducer): produce()/send() hand records to the accumulator,
// waiting (up to maxBlockMs) for metadata and for bufferMemory; the sender does all I/O.
import { EventEmitter } from 'node:events';
import { KafkaProducerError } from './errors.js';
import { IdempotenceManager } from './idempotence.js';
import { ProducerMetadata } from './metadata.js';
import { NativeBatch } from './native-batch.js';
import { BuiltInPartitioner, partitionForKey } from './partitioner.js';
import type { BatchHeader, RecordCallback, RecordMetadata } from './producer-batch.js';
import { resolveProducerConfig, type ProducerConfig, type ProducerOptions } from './producer-config.js';
import { AppendResult, RecordAccumulator } from './record-accumulator.js';
import { recordSizeUpperBound } from './record-size.js';
import { Sender } from './sender.js';

/** Key, value and header values: bytes, or text sent as UTF-8. */
export type MessageBytes = Buffer | string | null;

/** One record to produce. */
export interface ProducerMessage {
  key?: MessageBytes;
  value: MessageBytes;
  headers?: Record<string, MessageBytes | undefined> | { key: string; value: MessageBytes }[];
  /** Explicit partition; otherwise murmur2 of the key, or the sticky partition for keyless records. */
  partition?: number;
  /** CreateTime in ms (number or numeric string); defaults to now. */
  timestamp?: number | string;
}

/** A kafkajs-style batch of messages for one topic. */
export interface ProducerRecordBatch {
  topic: string;
  messages: ProducerMessage[];
}

/** Options of close(). */
export interface CloseOptions {
  /** How long to wait for in-flight and buffered records before failing them (default: no limit). */
  timeoutMs?: number;
}

/** What metrics() reports. */
export interface ProducerMetrics {
  /** bufferMemory bytes held by batches not yet acknowledged. */
  bufferedBytes: number;
  bufferAvailableBytes: number;
  bufferTotalBytes: number;
  /** Records appended and not yet acknowledged or failed. */
  bufferedRecords: number;
  /** produce()/send() records waiting for metadata or memory (backpressure). */
  waitingRecords: number;
  /** Batches queued in the accumulator, not yet sent. */
  queuedBatches: number;
  inFlightBatches: number;
  inFlightRequests: number;
  requestsSent: number;
  recordsSent: number;
  recordsFailed: number;
  retries: number;
  producerId: bigint;
  producerEpoch: number;
}

/**
 * A record parked until its topic's metadata arrives or memory frees up (Java's send() blocking
 * in waitOnMetadata or BufferPool.allocate, each with its own maxBlockMs deadline).
 */
interface WaitingRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: BatchHeader[] | null;
  partition: number;
  timestamp: number;
  size: number;
  callback: RecordCallback;
  deadline: number;
  reason: 'metadata' | 'partition' | 'memory';
}

function toBytes(v: MessageBytes | undefined, what: string): Buffer | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  const u = v as unknown;
  if (u instanceof Uint8Array) return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  throw new KafkaProducerError('INVALID_RECORD', `${what} must be a Buffer, a string or null`, { retriable: false });
}

function toHeaders(h: ProducerMessage['headers']): BatchHeader[] | null {
  if (h === undefined || h === null) return null;
  const out: BatchHeader[] = [];
  if (Array.isArray(h)) {
    for (const { key, value } of h) {
      if (typeof key !== 'string') throw new KafkaProducerError('INVALID_RECORD', 'header keys must be strings', { retriable: false });
      out.push({ key, value: toBytes(value, `header ${key}`) });
    }
  } else {
    for (const key of Object.keys(h)) out.push({ key, value: toBytes(h[key], `header ${key}`) });
  }
  return out.length > 0 ? out : null;
}

/** Why an append threw: a KafkaProducerError as is (memory hard limit), else the encoder's failure. */
function appendError(err: unknown): KafkaProducerError {
  if (err instanceof KafkaProducerError) return err;
  return new KafkaProducerError('INVALID_RECORD', `The record could not be encoded: ${(err as Error).message}`, { retriable: false, cause: err });
}

/** Reports err through callback, or (no callback: produce()) as a rejected promise. */
function settle(callback: RecordCallback | null, err: KafkaProducerError): Promise<RecordMetadata> | undefined {
  if (callback === null) return Promise.reject(err);
  callback(err, null);
  return undefined;
}

/**
 * A Kafka producer: `await send({ topic, messages })` or `produce(topic, message)`; every record
 * resolves with its metadata or rejects with a KafkaProducerError — none is dropped silently.
 */
export class Producer extends EventEmitter {
  /** The options after defaults and validation. */
  readonly config: ProducerConfig;
  private readonly metadata: ProducerMetadata;
  private readonly accumulator: RecordAccumulator;
  private readonly idempotence: IdempotenceManager | null;
  private readonly sender: Sender;
  private readonly partitioners = new Map<string, BuiltInPartitioner>();
  /** Records waiting for their topic's metadata (or partition), per topic in send order: one topic never holds back another. */
  private readonly metadataWaits = new Map<string, WaitingRecord[]>();
  /** Records waiting for bufferMemory, first come first served (Java's BufferPool waiters). */
  private readonly memoryWaits: WaitingRecord[] = [];
  /** Records in metadataWaits and memoryWaits. */
  private waitingCount = 0;
  private waitTimer: NodeJS.Timeout | null = null;
  private processScheduled = false;
  /** flush() calls waiting for the records parked when they were called. */
  private readonly flushWaiters: { pending: Set<WaitingRecord>; resolve(): void }[] = [];
  private readonly connectWaiters: { resolve(): void; reject(err: KafkaProducerError): void }[] = [];
  private started = false;
  private closing = false;
  private closePromise: Promise<void> | null = null;
  private fatalError: KafkaProducerError | null = null;

  constructor(options: ProducerOptions) {
    super();
    this.config = resolveProducerConfig(options);
    const c = this.config;
    this.metadata = new ProducerMetadata(c.retryBackoffMs, c.retryBackoffMaxMs, c.metadataMaxAgeMs);
    this.idempotence = c.idempotence ? new IdempotenceManager() : null;
    this.accumulator = new RecordAccumulator(
      c,
      (o) => new NativeBatch(o),
      () => this.sender.wakeup(),
      () => this.scheduleProcessWaiting(),
    );
    this.sender = new Sender(c, this.metadata, this.accumulator, this.idempotence, {
      emit: (event, payload) => this.emitEvent(event, payload),
      onMetadataUpdate: () => this.onMetadataUpdate(),
      onFatalError: (err) => this.onFatalError(err),
      isBusy: () => this.accumulator.hasIncomplete() || this.waitingCount > 0 || this.connectWaiters.length > 0,
    });
  }

  private emitEvent(event: string, payload: unknown): void {
    // An 'error' event nobody listens to would throw: every record reports its own failure anyway.
    if (event === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event, payload);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.sender.wakeup();
  }

  /** Resolves once cluster metadata was fetched from a bootstrap server (within maxBlockMs). */
  connect(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    if (this.fatalError) return Promise.reject(this.fatalError);
    this.start();
    if (this.metadata.updateVersion > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.connectWaiters.push(waiter);
      const timer = setTimeout(() => {
        const i = this.connectWaiters.indexOf(waiter);
        if (i < 0) return;
        this.connectWaiters.splice(i, 1);
        reject(new KafkaProducerError('REQUEST_TIMED_OUT', `Could not fetch metadata from any of ${this.config.bootstrapServers.map((s) => `${s.host}:${s.port}`).join(', ')} within ${this.config.maxBlockMs} ms`));
      }, this.config.maxBlockMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      waiter.reject = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
  }

  /** Enqueues one record; resolves with its partition and offset once acknowledged (acks=0: offset -1n). */
  produce(topic: string, message: ProducerMessage): Promise<RecordMetadata> {
    // Appended now: the promise is one reaction on its batch's deferred (no closure per record).
    return this.enqueue(topic, message, null) ?? this.accumulator.lastBatch!.promiseForLastRecord();
  }

  /** Enqueues the messages for one topic; resolves with each record's metadata, in order. */
  send(batch: ProducerRecordBatch): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      const messages = batch?.messages;
      if (!Array.isArray(messages)) return reject(new KafkaProducerError('INVALID_RECORD', 'send() needs { topic, messages: [...] }', { retriable: false }));
      const n = messages.length;
      if (n === 0) return resolve([]);
      const results = new Array<RecordMetadata>(n);
      let remaining = n;
      let failed = false;
      for (let i = 0; i < n; i++) {
        this.enqueue(batch.topic, messages[i], (err, md) => {
          if (failed) return;
          if (err) {
            failed = true;
            return reject(err);
          }
          results[i] = md!;
          if (--remaining === 0) resolve(results);
        });
      }
    });
  }

  /**
   * Validates and appends (or parks) one record. With a callback it reports through it and returns
   * undefined. Without one (produce()) it returns undefined once the record is appended, the
   * record's promise then coming from its batch, or else a promise of its own.
   */
  private enqueue(topic: string, message: ProducerMessage, callback: RecordCallback | null): Promise<RecordMetadata> | undefined {
    if (this.closing) return settle(callback, this.closedError());
    if (this.fatalError) return settle(callback, this.fatalError);
    let key: Buffer | null;
    let value: Buffer | null;
    let headers: BatchHeader[] | null;
    let partition = -1;
    let timestamp: number;
    // One clock read per record: the CreateTime it gets by default and the accumulator's now.
    const now = Date.now();
    try {
      if (typeof topic !== 'string' || topic.length === 0) throw new KafkaProducerError('INVALID_TOPIC_EXCEPTION', 'topic must be a non-empty string', { retriable: false });
      if (message === null || typeof message !== 'object') throw new KafkaProducerError('INVALID_RECORD', 'a message must be an object with a value', { retriable: false });
      key = toBytes(message.key, 'key');
      value = toBytes(message.value, 'value');
      headers = toHeaders(message.headers);
      if (message.partition !== undefined && message.partition !== null) {
        partition = message.partition;
        if (!Number.isInteger(partition) || partition < 0) {
          throw new KafkaProducerError('UNKNOWN_TOPIC_OR_PARTITION', `Invalid partition: ${String(message.partition)}. Partition number should always be non-negative or null.`, { retriable: false });
        }
      }
      timestamp = message.timestamp === undefined || message.timestamp === null ? now : Number(message.timestamp);
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
        throw new KafkaProducerError('INVALID_TIMESTAMP', `Invalid timestamp: ${String(message.timestamp)}. Timestamp should always be non-negative or null.`, { retriable: false });
      }
    } catch (err) {
      return settle(callback, err as KafkaProducerError);
    }
    const size = recordSizeUpperBound(key, value, headers);
    if (size > this.config.maxRequestSize || size > this.config.bufferMemory) {
      const which = size > this.config.maxRequestSize ? `${this.config.maxRequestSize}, which is the value of the maxRequestSize configuration` : `the total memory buffer configured with bufferMemory (${this.config.bufferMemory})`;
      return settle(callback, new KafkaProducerError('MESSAGE_TOO_LARGE', `The message is ${size} bytes when serialized which is larger than ${which}.`, { retriable: false }));
    }
    if (!this.started) this.start();
    let reason: WaitingRecord['reason'];
    // Behind earlier records of its topic (order), or behind records waiting for memory (fairness).
    if (this.waitingCount > 0 && this.metadataWaits.has(topic)) reason = 'metadata';
    else if (this.waitingCount > 0 && this.memoryWaits.length > 0) reason = 'memory';
    else {
      let blocked: WaitingRecord['reason'] | null;
      try {
        blocked = this.tryAppend(topic, key, value, headers, partition, timestamp, size, callback, now);
      } catch (err) {
        return settle(callback, appendError(err));
      }
      if (blocked === null) return undefined;
      reason = blocked;
    }
    let promise: Promise<RecordMetadata> | undefined;
    if (callback === null) {
      let resolve!: (md: RecordMetadata) => void;
      let reject!: (err: KafkaProducerError) => void;
      promise = new Promise<RecordMetadata>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      callback = (err, md) => (err ? reject(err) : resolve(md!));
    }
    this.park({ topic, key, value, headers, partition, timestamp, size, callback, deadline: now + this.config.maxBlockMs, reason });
    return promise;
  }

  /** Appends now, or says what the record waits for. */
  private tryAppend(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: BatchHeader[] | null,
    partition: number,
    timestamp: number,
    size: number,
    callback: RecordCallback | null,
    nowMs: number,
  ): WaitingRecord['reason'] | null {
    const t = this.metadata.topic(topic);
    if (t === undefined || t.partitionCount === 0) {
      this.metadata.add(topic);
      this.sender.wakeup();
      return 'metadata';
    }
    let sticky: BuiltInPartitioner | undefined;
    if (partition >= 0) {
      if (partition >= t.partitionCount) {
        this.metadata.requestUpdate();
        this.sender.wakeup();
        return 'partition';
      }
    } else if (key !== null && !this.config.partitionerIgnoreKeys) {
      partition = partitionForKey(key, t.partitionCount);
    } else {
      sticky = this.partitioners.get(topic);
      if (!sticky) this.partitioners.set(topic, (sticky = new BuiltInPartitioner(topic, this.config.batchSize)));
      partition = sticky.currentPartition(t);
    }
    const q = this.accumulator.queue(topic, partition);
    const r = this.accumulator.append(q, timestamp, key, value, headers, size, callback, nowMs);
    if (r === AppendResult.NO_MEMORY) return 'memory';
    if (sticky) sticky.updatePartitionInfo(this.accumulator.lastAppendedBytes, t, this.accumulator.allBatchesFull(q));
    return null;
  }

  private park(entry: WaitingRecord): void {
    this.waitingCount++;
    if (entry.reason === 'memory') this.memoryWaits.push(entry);
    else this.waitForMetadata(entry);
    this.accumulator.exhausted = this.memoryWaits.length > 0;
    if (this.waitTimer === null) this.armWaitTimer();
  }

  private waitForMetadata(entry: WaitingRecord): void {
    const q = this.metadataWaits.get(entry.topic);
    if (q) q.push(entry);
    else this.metadataWaits.set(entry.topic, [entry]);
  }

  /** Arms the timer for the earliest deadline of the records at the head of each wait. */
  private armWaitTimer(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    if (this.waitingCount === 0) return;
    let deadline = this.memoryWaits.length > 0 ? this.memoryWaits[0].deadline : Number.POSITIVE_INFINITY;
    for (const q of this.metadataWaits.values()) deadline = Math.min(deadline, q[0].deadline);
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      this.processWaiting(false);
    }, Math.max(0, deadline - Date.now()));
  }

  /** Memory was freed: records waiting for it may go (once per turn, however many batches completed). */
  private scheduleProcessWaiting(): void {
    if (this.processScheduled || this.memoryWaits.length === 0) return;
    this.processScheduled = true;
    queueMicrotask(() => {
      this.processScheduled = false;
      this.processWaiting(true);
    });
  }

  /**
   * Appends parked records in order (per topic; memory waiters first come first served);
   * expired ones fail with Kafka's TimeoutException messages. memoryOnly: only memory was freed.
   */
  private processWaiting(memoryOnly: boolean): void {
    const now = Date.now();
    if (!memoryOnly) for (const [topic, q] of this.metadataWaits) this.processMetadataWaits(topic, q, now);
    this.processMemoryWaits(now);
    this.accumulator.exhausted = this.memoryWaits.length > 0;
    this.armWaitTimer();
    if (this.accumulator.exhausted) this.sender.wakeup();
  }

  private processMetadataWaits(topic: string, q: WaitingRecord[], now: number): void {
    const fatal = this.fatalError ?? this.topicFailure(topic);
    while (q.length > 0) {
      const e = q[0];
      if (fatal) {
        q.shift();
        this.fail(e, fatal);
        continue;
      }
      // Its metadata may be here, but records waiting for memory go first.
      const reason = this.memoryWaits.length > 0 ? 'memory' : this.appendWaiting(e, now);
      if (reason === undefined) {
        q.shift();
      } else if (reason === null) {
        q.shift();
        this.leave(e);
      } else if (reason === 'memory') {
        q.shift();
        e.reason = reason;
        this.memoryWaits.push(e);
      } else if (now >= e.deadline) {
        q.shift();
        this.fail(e, this.waitTimeout(e, reason));
      } else {
        e.reason = reason;
        break;
      }
    }
    if (q.length === 0) this.metadataWaits.delete(topic);
  }

  private processMemoryWaits(now: number): void {
    const q = this.memoryWaits;
    while (q.length > 0) {
      const e = q[0];
      const fatal = this.fatalError ?? this.topicFailure(e.topic);
      if (fatal) {
        q.shift();
        this.fail(e, fatal);
        continue;
      }
      // Behind an earlier record of its topic that waits for metadata (order within the topic).
      const reason = this.metadataWaits.has(e.topic) ? 'metadata' : this.appendWaiting(e, now);
      if (reason === undefined) {
        q.shift();
      } else if (reason === null) {
        q.shift();
        this.leave(e);
      } else if (reason !== 'memory') {
        q.shift();
        e.reason = reason;
        this.waitForMetadata(e);
      } else if (now >= e.deadline) {
        q.shift();
        this.fail(e, this.waitTimeout(e, reason));
      } else {
        break;
      }
    }
  }

  /** Appends a parked record: null when appended, what it still waits for, or undefined when it failed. */
  private appendWaiting(e: WaitingRecord, now: number): WaitingRecord['reason'] | null | undefined {
    try {
      return this.tryAppend(e.topic, e.key, e.value, e.headers, e.partition, e.timestamp, e.size, e.callback, now);
    } catch (err) {
      this.fail(e, appendError(err));
      return undefined;
    }
  }

  private fail(e: WaitingRecord, err: KafkaProducerError): void {
    this.leave(e);
    e.callback(err, null);
  }

  /** A parked record was appended or failed. */
  private leave(e: WaitingRecord): void {
    this.waitingCount--;
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const w = this.flushWaiters[i];
      if (w.pending.delete(e) && w.pending.size === 0) this.flushWaiters.splice(i, 1)[0].resolve();
    }
  }

  private topicFailure(topic: string): KafkaProducerError | null {
    const e = this.metadata.fatalTopicError(topic);
    return e ? new KafkaProducerError(e, `${e}: topic ${topic}`) : null;
  }

  private waitTimeout(e: WaitingRecord, reason: WaitingRecord['reason']): KafkaProducerError {
    const ms = this.config.maxBlockMs;
    if (reason === 'memory') return new KafkaProducerError('REQUEST_TIMED_OUT', `Failed to allocate memory within the configured max blocking time ${ms} ms.`);
    const t = this.metadata.topic(e.topic);
    if (reason === 'partition') {
      return new KafkaProducerError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${e.partition} of topic ${e.topic} with partition count ${t?.partitionCount ?? 0} is not present in metadata after ${ms} ms.`);
    }
    const known = this.metadata.topicError(e.topic);
    return new KafkaProducerError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${e.topic} not present in metadata after ${ms} ms.${known ? ` Last error: ${known}.` : ''}`);
  }

  private onMetadataUpdate(): void {
    for (const w of this.connectWaiters.splice(0)) w.resolve();
    if (this.waitingCount > 0) this.processWaiting(false);
  }

  /** The producer cannot go on: later sends fail at once with err; the sender fails its batches. */
  private onFatalError(err: KafkaProducerError): void {
    if (this.fatalError) return;
    this.fatalError = err;
    this.emitEvent('error', err);
    for (const w of this.connectWaiters.splice(0)) w.reject(err);
    if (this.waitingCount > 0) this.processWaiting(false);
  }

  private closedError(): KafkaProducerError {
    return new KafkaProducerError('PRODUCER_CLOSED', 'Cannot perform operation after producer has been closed');
  }

  /** Sends everything buffered now (ignoring lingerMs) and resolves when all of it is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.waitingCount > 0) {
      const pending = new Set<WaitingRecord>(this.memoryWaits);
      for (const q of this.metadataWaits.values()) for (const e of q) pending.add(e);
      await new Promise<void>((resolve) => this.flushWaiters.push({ pending, resolve }));
    }
    await this.accumulator.flush();
  }

  /** Flushes, then closes connections; after timeoutMs, what is still pending fails. */
  close(options: CloseOptions = {}): Promise<void> {
    this.closePromise ??= this.doClose(options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return this.closePromise;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.closing = true;
    for (const w of this.connectWaiters.splice(0)) w.reject(this.closedError());
    if (this.started) {
      let timer: NodeJS.Timeout | undefined;
      const flushed = this.flush();
      if (timeoutMs === Number.POSITIVE_INFINITY) await flushed;
      else await Promise.race([flushed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      if (timer) clearTimeout(timer);
    }
    const forced = new KafkaProducerError('PRODUCER_CLOSED', 'Producer is closed forcefully.');
    const waiting = [...this.memoryWaits.splice(0)];
    for (const q of this.metadataWaits.values()) waiting.push(...q);
    this.metadataWaits.clear();
    for (const e of waiting) this.fail(e, forced);
    this.accumulator.exhausted = false;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    for (const w of this.flushWaiters.splice(0)) w.resolve();
    this.sender.close();
    for (const b of this.accumulator.incompleteBatches()) this.sender.failBatch(b, forced);
    this.emitEvent('close', undefined);
  }

  /** What is buffered, waiting and in flight, and counters since start. */
  metrics(): ProducerMetrics {
    const pool = this.accumulator.pool;
    return {
      bufferedBytes: pool.usedMemory,
      bufferAvailableBytes: pool.availableMemory,
      bufferTotalBytes: pool.totalMemory,
      bufferedRecords: this.accumulator.bufferedRecords,
      waitingRecords: this.waitingCount,
      queuedBatches: this.accumulator.queuedBatches,
      inFlightBatches: this.sender.inFlightBatchCount,
      inFlightRequests: this.sender.client.inFlightRequests,
      ...this.sender.stats,
      producerId: this.idempotence?.producerId ?? -1n,
      producerEpoch: this.idempotence?.producerEpoch ?? -1,
    };
  }
}

