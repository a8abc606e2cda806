// DescribeCluster, versions 0-1 (KIP-700; the Java admin client's describeCluster).
//
// Behavior:
// - One broker, this node, at its advertised address on the listener the request came in on;
//   this node is also reported as the controller.
// - v1 endpoint_type: 1 (brokers) is served; 2 (controllers) is UNSUPPORTED_ENDPOINT_TYPE, as a
//   broker answers it (Sluice has no separate controller endpoint).
// - cluster_authorized_operations is Kafka's "not requested" value unless asked for; when asked,
//   every cluster operation is allowed (no authorizer).
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/60-describe-cluster.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { advertisedEndpoint, brokerRack } from '../endpoints.js';
import type { ApiHandler } from '../handler.js';

/** Kafka's "authorized operations were not requested" sentinel (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** Bit set of every ACL operation on the cluster resource (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION,
 * DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE): what Kafka reports without an authorizer. */
const ALL_CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;

/** Serves DescribeCluster (api key 60). */
export const handler: ApiHandler<DescribeClusterRequest, DescribeClusterResponse> = {
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { clusterId, nodeId } = ctx.services;
    const base = handler.errorResponse(req, ErrorCode.NONE, ctx);
    if (ctx.apiVersion >= 1 && req.endpointType !== EndpointType.BROKER) {
      return {
        ...base,
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: 'The request was sent to a broker: only endpoint type 1 (brokers) is served',
      };
    }
    const endpoint = advertisedEndpoint(ctx);
    return {
      ...base,
      controllerId: nodeId,
      brokers: [{ brokerId: nodeId, host: endpoint.host, port: endpoint.port, rack: brokerRack(ctx) }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      clusterId,
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      endpointType: req.endpointType,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
};
