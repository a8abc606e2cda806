// ApiVersions (api key 18), versions 0-4.
//
// Behavior:
// - Lists every handler registered in handlers/index.ts with the versions it declares: the
//   registry is the only source, so nothing is advertised that is not implemented.
// - v3+: the client's software name and version must each match Kafka's pattern (letters,
//   digits, '-' and '.', starting and ending with a letter or digit; so not empty), else the
//   answer is INVALID_REQUEST with no api keys, as Kafka's ApiVersionsRequest.isValid decides.
// - No supported or finalized features (epoch -1), zkMigrationReady false: a single node with
//   no feature levels to negotiate yet.
// - A version outside 0-4 (newer, or negative) never reaches this handler's handle(): dispatch
//   answers it with errorResponse(UNSUPPORTED_VERSION) encoded as v0 (KIP-511), which lists
//   ApiVersions itself so the client can retry with a version it shares.
// - The response header is always v0 (no tagged fields), even for v3+ (the codec's rule).
import type { ApiVersionsRequest, ApiVersionsResponse, ApiVersionsResponseApiVersion } from '../../protocol/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';
import { handlerRegistry } from './index.js';

/** Kafka's ApiVersionsRequest.SOFTWARE_NAME_VERSION_PATTERN, anchored (Java's matches()). */
const SOFTWARE_NAME_VERSION_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

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
  handle(req, ctx) {
    const valid = (s: string) => SOFTWARE_NAME_VERSION_PATTERN.test(s);
    if (ctx.apiVersion >= 3 && !(valid(req.clientSoftwareName) && valid(req.clientSoftwareVersion))) {
      return response(ErrorCode.INVALID_REQUEST, []);
    }
    return response(ErrorCode.NONE, [...handlerRegistry().values()].sort((a, b) => a.apiKey - b.apiKey).map(versionOf));
  },
  errorResponse(_req, errorCode) {
    return response(errorCode, errorCode === ErrorCode.UNSUPPORTED_VERSION ? [versionOf(handler)] : []);
  },
};
