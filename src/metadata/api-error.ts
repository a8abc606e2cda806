// Kafka's ApiError for admin results: an error code plus the message clients print.

import { partitionErrorCode } from '../broker/replica-manager.js';
import { log } from '../logger.js';
import { ErrorCode } from '../protocol/errors.js';

/** The code and message of one failed admin operation (unexpected failures are logged). */
export interface ApiError {
  errorCode: number;
  errorMessage: string | null;
}

/** Maps anything thrown by an admin operation to the per-resource error Kafka would answer. */
export function apiErrorOf(err: unknown, what: string): ApiError {
  const errorCode = partitionErrorCode(err); // bare I/O errors become KAFKA_STORAGE_ERROR
  if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) log.error(`${what} failed`, err);
  return { errorCode, errorMessage: err instanceof Error ? err.message : String(err) };
}

/** The "no error" result. */
export const NO_ERROR: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };
