// The API's generated types and service descriptors (see proto/). Regenerate with `npm run generate:proto`.

export { http } from "./gen/google/api/annotations_pb.js";
export type { HttpRule } from "./gen/google/api/http_pb.js";
export { HttpRuleSchema } from "./gen/google/api/http_pb.js";
export type {
  Application,
  CreateApplicationRequest,
  CreateApplicationResponse,
  DeleteApplicationRequest,
  DeleteApplicationResponse,
  GetApplicationRequest,
  GetApplicationResponse,
  ListApplicationsRequest,
  ListApplicationsResponse,
  RotateApplicationKeyRequest,
  RotateApplicationKeyResponse,
} from "./gen/piperelay/v1/applications_pb.js";
export {
  ApplicationSchema,
  ApplicationService,
  CreateApplicationRequestSchema,
  CreateApplicationResponseSchema,
  DeleteApplicationRequestSchema,
  DeleteApplicationResponseSchema,
  GetApplicationRequestSchema,
  GetApplicationResponseSchema,
  ListApplicationsRequestSchema,
  ListApplicationsResponseSchema,
  RotateApplicationKeyRequestSchema,
  RotateApplicationKeyResponseSchema,
} from "./gen/piperelay/v1/applications_pb.js";
export type {
  Attempt,
  Delivery,
  GetDeliveryRequest,
  GetDeliveryResponse,
  ListDeliveryAttemptsRequest,
  ListDeliveryAttemptsResponse,
} from "./gen/piperelay/v1/deliveries_pb.js";
export {
  AttemptSchema,
  DeliverySchema,
  DeliveryService,
  GetDeliveryRequestSchema,
  GetDeliveryResponseSchema,
  ListDeliveryAttemptsRequestSchema,
  ListDeliveryAttemptsResponseSchema,
} from "./gen/piperelay/v1/deliveries_pb.js";
export type {
  CreateEndpointRequest,
  CreateEndpointResponse,
  DeleteEndpointRequest,
  DeleteEndpointResponse,
  Endpoint,
  GetEndpointRequest,
  GetEndpointResponse,
  GetEndpointStatsRequest,
  GetEndpointStatsResponse,
  ListEndpointsRequest,
  ListEndpointsResponse,
  ToggleEndpointRequest,
  ToggleEndpointResponse,
  UpdateEndpointRequest,
  UpdateEndpointResponse,
} from "./gen/piperelay/v1/endpoints_pb.js";
export {
  CreateEndpointRequestSchema,
  CreateEndpointResponseSchema,
  DeleteEndpointRequestSchema,
  DeleteEndpointResponseSchema,
  EndpointSchema,
  EndpointService,
  GetEndpointRequestSchema,
  GetEndpointResponseSchema,
  GetEndpointStatsRequestSchema,
  GetEndpointStatsResponseSchema,
  ListEndpointsRequestSchema,
  ListEndpointsResponseSchema,
  ToggleEndpointRequestSchema,
  ToggleEndpointResponseSchema,
  UpdateEndpointRequestSchema,
  UpdateEndpointResponseSchema,
} from "./gen/piperelay/v1/endpoints_pb.js";
export type {
  CheckHealthRequest,
  CheckHealthResponse,
  DependencyHealth,
  GetStatsRequest,
  GetStatsResponse,
} from "./gen/piperelay/v1/health_pb.js";
export {
  CheckHealthRequestSchema,
  CheckHealthResponseSchema,
  DependencyHealthSchema,
  GetStatsRequestSchema,
  GetStatsResponseSchema,
  HealthService,
} from "./gen/piperelay/v1/health_pb.js";
export type {
  GetMessageRequest,
  GetMessageResponse,
  ListMessagesRequest,
  ListMessagesResponse,
  Message,
  RetryMessageRequest,
  RetryMessageResponse,
  SendMessageRequest,
  SendMessageResponse,
} from "./gen/piperelay/v1/messages_pb.js";
export {
  GetMessageRequestSchema,
  GetMessageResponseSchema,
  ListMessagesRequestSchema,
  ListMessagesResponseSchema,
  MessageSchema,
  MessageService,
  RetryMessageRequestSchema,
  RetryMessageResponseSchema,
  SendMessageRequestSchema,
  SendMessageResponseSchema,
} from "./gen/piperelay/v1/messages_pb.js";
