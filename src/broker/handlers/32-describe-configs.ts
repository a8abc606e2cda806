// DescribeConfigs, versions 1-4 (v0 predates config sources; Kafka 4 clients start at 1).
//
// Behavior:
// - TOPIC (2): every topic config with its effective value — the topic's override, else the
//   broker default it falls back to — source TOPIC_CONFIG, dynamic/static broker or DEFAULT.
//   Unknown topic: UNKNOWN_TOPIC_OR_PARTITION; bad name: INVALID_TOPIC_EXCEPTION.
// - BROKER (4): this node's id lists every broker config Sluice knows with its effective value,
//   read-only unless dynamically alterable; the empty name lists only the cluster-default
//   dynamic configs (as Kafka). Another node id is INVALID_REQUEST.
// - BROKER_LOGGER (8): an empty list for this node (log levels are not configurable).
// - configuration_keys null means all keys; unknown keys are left out.
// - include_synonyms adds the synonyms as Kafka's ConfigHelper lists them: the topic override,
//   then source by source (dynamic per-broker, dynamic default, static, default) starting at the
//   key's own name; the empty broker name shows only its dynamic-default entries. Custom (unknown)
//   dynamic broker configs are listed without a value, as Kafka does. config_type (v3+) is
//   filled; documentation is null.
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/messages/32-describe-configs.js';
import { KafkaError } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { ConfigSource, type DescribedConfig } from '../../config/config-describer.js';
import { ConfigResourceType } from '../../config/config-resources.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import { validateTopicName } from '../../metadata/topic-name.js';
import type { ApiHandler, RequestContext } from '../handler.js';

function describe(r: DescribeConfigsRequestDescribeConfigsResource, ctx: RequestContext): DescribedConfig[] {
  const { topics, configs, nodeId } = ctx.services;
  switch (r.resourceType) {
    case ConfigResourceType.TOPIC: {
      validateTopicName(r.resourceName);
      const topic = topics.get(r.resourceName);
      if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${r.resourceName} does not exist`);
      return configs.describeTopic(topic.configs, r.configurationKeys);
    }
    case ConfigResourceType.BROKER:
      return configs.describeBroker(r.resourceName, r.configurationKeys);
    case ConfigResourceType.BROKER_LOGGER:
      if (r.resourceName !== String(nodeId)) {
        throw new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${nodeId}, but received ${r.resourceName}`);
      }
      return [];
    default:
      throw new KafkaError('INVALID_REQUEST', `Unsupported resource type ${r.resourceType}`);
  }
}

function resultFor(
  r: DescribeConfigsRequestDescribeConfigsResource,
  includeSynonyms: boolean,
  ctx: RequestContext,
): DescribeConfigsResponseDescribeConfigsResult {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  try {
    const entries = describe(r, ctx);
    return {
      ...base,
      ...NO_ERROR,
      configs: entries.map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
        configSource: c.source,
        isSensitive: c.isSensitive,
        synonyms: includeSynonyms ? c.synonyms : [],
        configType: c.configType,
        documentation: null,
      })),
    };
  } catch (err) {
    return { ...base, ...apiErrorOf(err, `DescribeConfigs ${r.resourceType}/${r.resourceName}`), configs: [] };
  }
}

/** Serves DescribeConfigs (api key 32). */
export const handler: ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse> = {
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(req, ctx) {
    return { throttleTimeMs: 0, results: req.resources.map((r) => resultFor(r, req.includeSynonyms, ctx)) };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => ({
        errorCode,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: [],
      })),
    };
  },
};
