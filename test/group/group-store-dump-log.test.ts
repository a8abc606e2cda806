// Kafka's own DumpLogSegments --offsets-decoder reads what GroupStore writes: the records are
// Kafka's OffsetCommit and GroupMetadata keys and values, byte for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUP_METADATA_TOPIC_NAME, GroupStore } from '../../src/group/group-store.js';
import { setLogSink } from '../../src/logger.js';
import { openBrokerStorage } from '../support/broker-storage.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-gs-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
setLogSink(() => {});

// ConsumerProtocol v1 subscription of topic "t" and an assignment of t-0, as a Java consumer sends them.
const subscription = Buffer.from('000100000001000174ffffffff00000000', 'hex');
const assignment = Buffer.from('0001000000010001740000000100000000ffffffff', 'hex');

describe('kafka-dump-log --offsets-decoder on __consumer_offsets written by GroupStore', () => {
  it('decodes offset commits, group metadata and tombstones', async () => {
    const { config, logManager, topics } = await openBrokerStorage(dir, { 'offsets.topic.num.partitions': '1' });
    const groupStore = new GroupStore({ config, topics, logManager });
    groupStore.ensureOffsetsTopic();
    groupStore.append('g1', {
      group: {
        protocolType: 'consumer',
        generation: 3,
        protocol: 'range',
        leader: 'm1',
        currentStateTimestamp: 1_700_000_000_000,
        members: [
          { memberId: 'm1', groupInstanceId: 'i1', clientId: 'c1', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription, assignment },
        ],
      },
      offsets: [{ topic: 't', partition: 0, value: { offset: 5, leaderEpoch: 2, metadata: 'meta', commitTimestamp: 1_700_000_000_000, expireTimestamp: -1 } }],
    });
    groupStore.append('g1', { offsets: [{ topic: 't', partition: 0, value: null }], group: null });
    await logManager.shutdown();

    const segment = join(dir, `${GROUP_METADATA_TOPIC_NAME}-0`, '00000000000000000000.log');
    const r = await kafkaToolOk(KafkaTool.dumpLog, ['--offsets-decoder', '--files', segment]);
    expect(r.out + r.stderr).not.toMatch(/Exception|isvalid: false|ERROR|Unknown|unknown/);
    expect(r.out).toContain(
      'key: {"type":"1","data":{"group":"g1","topic":"t","partition":0}} payload: {"version":"4","data":{"offset":5,"leaderEpoch":2,"metadata":"meta","commitTimestamp":1700000000000}}',
    );
    expect(r.out).toContain(
      'key: {"type":"2","data":{"group":"g1"}} payload: {"version":"3","data":{"protocolType":"consumer","generation":3,"protocol":"range","leader":"m1","currentStateTimestamp":1700000000000,"members":[{"memberId":"m1","groupInstanceId":"i1","clientId":"c1","clientHost":"/127.0.0.1","rebalanceTimeout":300000,"sessionTimeout":45000,"subscription":{"topics":["t"],"userData":null,"ownedPartitions":[]},"assignment":{"assignedPartitions":[{"topic":"t","partitions":[0]}],"userData":null}}]}}',
    );
    expect(r.out.match(/payload: <DELETE>/g)).toHaveLength(2);
    expect(r.out).toMatch(/baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 .* compresscodec: none .* isvalid: true/);
  });
});
