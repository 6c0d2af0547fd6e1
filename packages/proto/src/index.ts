// The API's generated types and service descriptors (see proto/). Regenerate with `npm run generate:proto`.
export {
  ApplicationSchema,
  CreateApplicationRequestSchema,
  CreateApplicationResponseSchema,
  ListApplicationsRequestSchema,
  ListApplicationsResponseSchema,
  GetApplicationRequestSchema,
  GetApplicationResponseSchema,
  DeleteApplicationRequestSchema,
  DeleteApplicationResponseSchema,
  RotateApplicationKeyRequestSchema,
  RotateApplicationKeyResponseSchema,
  ApplicationService,
} from "./gen/piperelay/v1/applications_pb.js";
export type {
  Application,
  CreateApplicationRequest,
  CreateApplicationResponse,
  ListApplicationsRequest,
  ListApplicationsResponse,
  GetApplicationRequest,
  GetApplicationResponse,
  DeleteApplicationRequest,
  DeleteApplicationResponse,
  RotateApplicationKeyRequest,
  RotateApplicationKeyResponse,
} from "./gen/piperelay/v1/applications_pb.js";
export {
  DeliverySchema,
  AttemptSchema,
  GetDeliveryRequestSchema,
  GetDeliveryResponseSchema,
  ListDeliveryAttemptsRequestSchema,
  ListDeliveryAttemptsResponseSchema,
  DeliveryService,
} from "./gen/piperelay/v1/deliveries_pb.js";
export type {
  Delivery,
  Attempt,
  GetDeliveryRequest,
  GetDeliveryResponse,
  ListDeliveryAttemptsRequest,
  ListDeliveryAttemptsResponse,
} from "./gen/piperelay/v1/deliveries_pb.js";
export {
  EndpointSchema,
  CreateEndpointRequestSchema,
  CreateEndpointResponseSchema,
  ListEndpointsRequestSchema,
  ListEndpointsResponseSchema,
  GetEndpointRequestSchema,
  GetEndpointResponseSchema,
  UpdateEndpointRequestSchema,
  UpdateEndpointResponseSchema,
  DeleteEndpointRequestSchema,
  DeleteEndpointResponseSchema,
  ToggleEndpointRequestSchema,
  ToggleEndpointResponseSchema,
  GetEndpointStatsRequestSchema,
  GetEndpointStatsResponseSchema,
  EndpointService,
} from "./gen/piperelay/v1/endpoints_pb.js";
export type {
  Endpoint,
  CreateEndpointRequest,
  CreateEndpointResponse,
  ListEndpointsRequest,
  ListEndpointsResponse,
  GetEndpointRequest,
  GetEndpointResponse,
  UpdateEndpointRequest,
  UpdateEndpointResponse,
  DeleteEndpointRequest,
  DeleteEndpointResponse,
  ToggleEndpointRequest,
  ToggleEndpointResponse,
  GetEndpointStatsRequest,
  GetEndpointStatsResponse,
} from "./gen/piperelay/v1/endpoints_pb.js";
export {
  CheckHealthRequestSchema,
  DependencyHealthSchema,
  CheckHealthResponseSchema,
  GetStatsRequestSchema,
  GetStatsResponseSchema,
  HealthService,
} from "./gen/piperelay/v1/health_pb.js";
export type {
  CheckHealthRequest,
  DependencyHealth,
  CheckHealthResponse,
  GetStatsRequest,
  GetStatsResponse,
} from "./gen/piperelay/v1/health_pb.js";
export {
  MessageSchema,
  SendMessageRequestSchema,
  SendMessageResponseSchema,
  ListMessagesRequestSchema,
  ListMessagesResponseSchema,
  GetMessageRequestSchema,
  GetMessageResponseSchema,
  RetryMessageRequestSchema,
  RetryMessageResponseSchema,
  MessageService,
} from "./gen/piperelay/v1/messages_pb.js";
export type {
  Message,
  SendMessageRequest,
  SendMessageResponse,
  ListMessagesRequest,
  ListMessagesResponse,
  GetMessageRequest,
  GetMessageResponse,
  RetryMessageRequest,
  RetryMessageResponse,
} from "./gen/piperelay/v1/messages_pb.js";
export { http } from "./gen/google/api/annotations_pb.js";
export { HttpRuleSchema } from "./gen/google/api/http_pb.js";
export type { HttpRule } from "./gen/google/api/http_pb.js";
