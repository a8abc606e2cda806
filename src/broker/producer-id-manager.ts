// Hands out producer ids for idempotent producers (InitProducerId). Ids are reserved in blocks
// (as Kafka's controller does) and the end of the latest block is persisted before any id of
// it is handed out, so no id repeats after a restart or a kill -9: at most a block is skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaError } from '../protocol/errors.js';
import { writeFileDurably } from '../storage/durable-file.js';

/** File in the first log dir holding the first id not yet reserved (named after Kafka's ZK node). */
export const PRODUCER_ID_BLOCK_FILE = 'latest_producer_id_block';
/** Ids reserved per persisted block (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
const FILE_VERSION = 0;

/** Allocates producer ids that are unique for the life of the log directory. */
export class ProducerIdManager {
  private nextId: number;
  private blockEnd: number;

  private constructor(
    private readonly file: string,
    reserved: number,
  ) {
    this.nextId = reserved;
    this.blockEnd = reserved;
  }

  /** Reads the reservation file of logDir (absent: ids start at 0). */
  static open(logDir: string): ProducerIdManager {
    const file = join(logDir, PRODUCER_ID_BLOCK_FILE);
    let reserved = 0;
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== undefined) {
      const [version, value] = text.split('\n');
      reserved = Number(value);
      if (Number(version) !== FILE_VERSION || !Number.isSafeInteger(reserved) || reserved < 0) {
        throw new Error(`${file}: unreadable producer id block (version ${version}, value ${value})`);
      }
    }
    return new ProducerIdManager(file, reserved);
  }

  /** A producer id never handed out before. */
  generateProducerId(): number {
    if (this.nextId >= this.blockEnd) this.reserveBlock();
    return this.nextId++;
  }

  private reserveBlock(): void {
    const end = this.nextId + PRODUCER_ID_BLOCK_SIZE;
    try {
      writeFileDurably(this.file, `${FILE_VERSION}\n${end}\n`);
    } catch (err) {
      throw new KafkaError('KAFKA_STORAGE_ERROR', `cannot reserve producer ids: ${(err as Error).message}`);
    }
    this.blockEnd = end;
  }
}
