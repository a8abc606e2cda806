// A kafkajs 2.2.4 consumer-group member that reports what it does (joins with their assignment,
// records processed, offsets committed) as events, run in-process by a test or in a child process
// (kafkajs-group-child.ts) that the test can kill -9.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** When a member commits a record's offset relative to processing it. */
export type CommitMode = 'after-processing' | 'before-processing';

/** What a member reports. Offsets in `committed` are the next offset to read (what was committed). */
export type MemberEvent =
  | { ev: 'join'; memberId: string; assignment: number[]; generation?: number }
  | { ev: 'record'; partition: number; offset: number; value: string }
  | { ev: 'committed'; partition: number; offset: number }
  | { ev: 'stalled'; partition: number; offset: number }
  | { ev: 'paused'; partition: number; offset: number }
  | { ev: 'revoked'; assignment: number[] };

/** How a member consumes. */
export interface MemberOptions {
  bootstrap: string;
  groupId: string;
  topic: string;
  clientId: string;
  commitMode: CommitMode;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Hang forever (simulating a consumer stuck mid-record) at the first record with this offset. */
  stallAtOffset?: number;
  /** Per partition, the offset at which to stop consuming (pause the partition, still heartbeating). */
  pauseAt?: Record<number, number>;
  groupInstanceId?: string;
}

/** A running member: stop() leaves the group cleanly (LeaveGroup). */
export interface RunningMember {
  stop(): Promise<void>;
}

/** Joins the group and consumes `topic` from the beginning, committing each record per commitMode. */
export async function runKafkajsMember(opts: MemberOptions, emit: (e: MemberEvent) => void): Promise<RunningMember> {
  const kafka = new Kafka({ clientId: opts.clientId, brokers: [opts.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const sessionTimeout = opts.sessionTimeoutMs ?? 6000;
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout,
    heartbeatInterval: opts.heartbeatIntervalMs ?? Math.min(300, Math.floor(sessionTimeout / 3)),
    maxWaitTimeInMs: 200,
    retry: { retries: 10 },
    ...(opts.groupInstanceId ? { groupInstanceId: opts.groupInstanceId } : {}),
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const assignment = [...(e.payload.memberAssignment[opts.topic] ?? [])].sort((a, b) => a - b);
    emit({ ev: 'join', memberId: e.payload.memberId, assignment });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
  const commit = async (partition: number, offset: number) => {
    await consumer.commitOffsets([{ topic: opts.topic, partition, offset: String(offset) }]);
    emit({ ev: 'committed', partition, offset });
  };
  const stall = (partition: number, offset: number) => {
    emit({ ev: 'stalled', partition, offset });
    return new Promise<never>(() => {});
  };
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      const limit = opts.pauseAt?.[partition];
      if (limit !== undefined && offset >= limit) {
        consumer.pause([{ topic: opts.topic, partitions: [partition] }]);
        emit({ ev: 'paused', partition, offset });
        return;
      }
      const record = () => emit({ ev: 'record', partition, offset, value: message.value?.toString('utf8') ?? '' });
      if (opts.commitMode === 'before-processing') {
        await commit(partition, offset + 1);
        if (offset === opts.stallAtOffset) await stall(partition, offset);
        record();
      } else {
        record();
        if (offset === opts.stallAtOffset) await stall(partition, offset);
        await commit(partition, offset + 1);
      }
    },
  });
  return { stop: () => consumer.disconnect() };
}
