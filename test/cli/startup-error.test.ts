import { describe, expect, it } from 'vitest';
import { startupFailureMessage } from '../../src/cli/startup-error.js';
import { NativeError } from '../../src/native/index.js';
import { KafkaError } from '../../src/protocol/errors.js';
import { MetaPropertiesError } from '../../src/storage/meta-properties.js';

describe('startupFailureMessage', () => {
  it('gives one line for failures the operator must fix', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9092'), { code: 'EADDRINUSE', syscall: 'listen' });
    expect(startupFailureMessage(inUse)).toBe('sluice: cannot start: listen EADDRINUSE: address already in use 127.0.0.1:9092');
    expect(startupFailureMessage(new MetaPropertiesError('Stored node id 5 in /d/meta.properties\ndoesn’t match'))).toBe(
      'sluice: cannot start: Stored node id 5 in /d/meta.properties doesn’t match',
    );
    expect(startupFailureMessage(new NativeError('KAFKA_STORAGE_ERROR', 'Failed to acquire lock on file .lock in /d.'))).toBe(
      'sluice: cannot start: Failed to acquire lock on file .lock in /d.',
    );
    expect(startupFailureMessage(new KafkaError('KAFKA_STORAGE_ERROR', 'disk gone'))).toBe('sluice: cannot start: disk gone');
  });

  it('leaves anything unexpected (a bug) to the stack-trace path', () => {
    expect(startupFailureMessage(new TypeError('x is undefined'))).toBeUndefined();
    expect(startupFailureMessage(new KafkaError('UNKNOWN_SERVER_ERROR', 'oops'))).toBeUndefined();
    expect(startupFailureMessage(Object.assign(new Error('no syscall'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
    expect(startupFailureMessage('a string')).toBeUndefined();
  });
});
