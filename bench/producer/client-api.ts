// What the benchmark needs from each producer client: one way to hand it records, each reporting
// its acknowledgement through a callback, and a clean close.

/**
 * The batching budget every client gets in the like-for-like rows: the array clients' values per
 * send() call and sluice-256k's batchSize (librdkafka's own default is larger, 1 MB).
 */
export const LIKE_FOR_LIKE_BATCH_BYTES = 256 * 1024;

/** Where and how a client produces, identical for every client of one scenario. */
export interface ClientSpec {
  bootstrap: string;
  topic: string;
  acks: 1 | 'all';
  /** Records per send() for clients whose API takes batches of messages: LIKE_FOR_LIKE_BATCH_BYTES of values. */
  chunk: number;
}

/**
 * How a client reports one call's acknowledgement: ok() once it is acknowledged, or fail(err).
 * The benchmark passes one shared Ack to many calls, so an adapter hands ok and fail to its
 * client as they are (no closure of its own a call).
 */
export interface Ack {
  readonly ok: () => void;
  readonly fail: (err: unknown) => void;
}

/** A client whose API takes one record a call (Sluice produce(), node-rdkafka produce()). */
export interface RecordClient {
  readonly style: 'record';
  produce(value: Buffer, ack: Ack): void;
  close(): Promise<void>;
}

/** A client whose API takes an array of messages a call (kafkajs and @platformatic/kafka send()). */
export interface BatchClient {
  readonly style: 'batch';
  send(values: Buffer[], ack: Ack): void;
  close(): Promise<void>;
}

/** One connected producer under test. */
export type BenchClient = RecordClient | BatchClient;

/** Each module in clients/ exports `open`, which connects a producer for the spec. */
export type OpenClient = (spec: ClientSpec) => Promise<BenchClient>;
