// ApiVersions (api key 18), versions 0-4.
//
// Behavior:
// - Lists every handler registered in handlers/index.ts with the versions it declares: the
//   registry is the only source, so nothing is advertised that is not implemented.
// - v3+: the client's software name and version are accepted without validation (Kafka
//   rejects names outside [a-zA-Z0-9._-] with INVALID_REQUEST; clients never send such names).
// - No supported or finalized features (epoch -1), zkMigrationReady false: a single node with
//   no feature levels to negotiate yet.
// - A version above 4 never reaches this handler's handle(): dispatch answers it with
//   errorResponse(UNSUPPORTED_VERSION) encoded as v0 (KIP-511), which lists ApiVersions itself
//   so the client can retry with a version it shares.
// - The response header is always v0 (no tagged fields), even for v3+ (the codec's rule).
import type { ApiVersionsRequest, ApiVersionsResponse, ApiVersionsResponseApiVersion } from '../../protocol/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';
import { handlerRegistry } from './index.js';

function versionOf(h: ApiHandler): ApiVersionsResponseApiVersion {
  return { apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion };
}

function response(errorCode: number, apiKeys: ApiVersionsResponseApiVersion[]): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys,
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

/** Answers ApiVersions from the handler registry. */
export const handler: ApiHandler<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle() {
    return response(ErrorCode.NONE, [...handlerRegistry().values()].sort((a, b) => a.apiKey - b.apiKey).map(versionOf));
  },
  errorResponse(_req, errorCode) {
    return response(errorCode, errorCode === ErrorCode.UNSUPPORTED_VERSION ? [versionOf(handler)] : []);
  },
};
