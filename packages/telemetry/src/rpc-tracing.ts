import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
} from "@opentelemetry/semantic-conventions";
import { defaultTracer } from "./spans.js";

/** Options of {@link createTracingInterceptor}. */
export interface TracingInterceptorOptions {
  /** @defaultValue PipeRelay's tracer from the global provider ({@link defaultTracer}) */
  tracer?: Tracer;
}

const headersGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

// Codes that mean the server failed, not the caller (as the semantic conventions mark server spans).
const serverFaults = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

/**
 * A Connect server interceptor that makes one SERVER span per RPC, named
 * `piperelay.v1.Service/Method`, continuing the caller's W3C `traceparent`
 * when it sent one. Place it first so the span covers the other interceptors
 * and sees the Connect code the client gets. It sees every protocol the
 * server speaks (REST, Connect, gRPC, gRPC-web) because the REST transcoder
 * calls the same handlers, forwarding `traceparent`.
 */
export function createTracingInterceptor(options: TracingInterceptorOptions = {}): Interceptor {
  const tracer = options.tracer ?? defaultTracer();
  return (next) => (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    const parent = propagation.extract(ROOT_CONTEXT, req.header, headersGetter);
    const attributes = { [ATTR_RPC_SYSTEM_NAME]: "connectrpc", [ATTR_RPC_METHOD]: method };
    return tracer.startActiveSpan(method, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
      try {
        return await next(req);
      } catch (error) {
        const connectError = ConnectError.from(error);
        const code = codeName(connectError.code);
        span.setAttributes({ [ATTR_RPC_STATUS_CODE]: code, [ATTR_ERROR_TYPE]: code });
        if (serverFaults.has(connectError.code)) {
          // The client sees "internal error"; the trace keeps what happened.
          const cause = connectError.cause instanceof Error ? connectError.cause : connectError;
          span.recordException(cause);
          span.setStatus({ code: SpanStatusCode.ERROR, message: connectError.rawMessage });
        }
        throw error;
      } finally {
        // Every PipeRelay RPC is unary, so the response is complete here.
        span.end();
      }
    });
  };
}

/** Connect's wire name of a code (`not_found`). */
function codeName(code: Code): string {
  return (Code[code] ?? "Unknown").replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}
