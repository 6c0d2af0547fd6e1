export type { Attributes, Context, Span, Tracer } from "@opentelemetry/api";
export { context, isSpanContextValid, SpanKind, trace } from "@opentelemetry/api";
export { ATTR_HTTP_RESPONSE_STATUS_CODE } from "@opentelemetry/semantic-conventions";
export {
  MessagingAttributes,
  messagingSystem,
  PipeRelayAttributes,
  postgresAttributes,
} from "./attributes.js";
export type { ConsumerSpanOptions, MessageHeaders, ProducerSpanOptions, TracedIds } from "./messaging.js";
export {
  currentTraceparent,
  extractTraceContext,
  injectTraceContext,
  linkToTraceparent,
  startConsumerSpan,
  startProducerSpan,
  tracedIdAttributes,
} from "./messaging.js";
export type { TracingInterceptorOptions } from "./rpc-tracing.js";
export { createTracingInterceptor } from "./rpc-tracing.js";
export type { Telemetry, TelemetryEnv, TelemetryOptions } from "./setup.js";
export { shutdownTelemetry, startTelemetry, tracingConfigured } from "./setup.js";
export { defaultTracer, inSpan, recordError, setActiveSpanAttributes, tracerName } from "./spans.js";
