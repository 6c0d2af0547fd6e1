export type { ApiServer, ApiServerOptions, ServedMetrics } from "./api-server.js";
export { createApiServer, metricsPath, restPathPrefix } from "./api-server.js";
export type { AuthOptions } from "./auth-interceptor.js";
export { actAsApplicationHeader, createAuthInterceptor } from "./auth-interceptor.js";
export type { Caller } from "./caller.js";
export { applicationScope, callerKey, requireApplicationId } from "./caller.js";
export type { InternalErrorListener } from "./error-interceptor.js";
export { createErrorInterceptor } from "./error-interceptor.js";
export type { Failure } from "./failures.js";
export {
  describeFailure,
  FailureError,
  fail,
  failureToConnectError,
  httpStatusForCode,
} from "./failures.js";
export { jsonOptions } from "./json-options.js";
export type { NodeRequest, NodeResponse } from "./node-http.js";
export type { PathBinding, PathTemplate } from "./path-template.js";
export { matchPathTemplate, PathTemplateError, parsePathTemplate } from "./path-template.js";
export { requestIdHeader, requestIdKey, requestLoggerKey } from "./request-log.js";
export type { RestTranscoder, RestTranscoderOptions } from "./rest-transcoder.js";
export { createRestTranscoder, forwardedHeaders } from "./rest-transcoder.js";
export type { ServicePart } from "./service-parts.js";
export { mergeServiceParts, servicePart } from "./service-parts.js";
