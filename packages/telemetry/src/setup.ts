import { context, propagation, type Span, trace } from "@opentelemetry/api";
import type { UndiciRequest } from "@opentelemetry/instrumentation-undici";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_URL_FULL, ATTR_URL_QUERY } from "@opentelemetry/semantic-conventions";

/** The OTEL_* variables, as `process.env` has them. */
export type TelemetryEnv = Readonly<Record<string, string | undefined>>;

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) names it. */
  serviceName: string;
  /**
   * Sends every span, as it ends, to this exporter instead of the ones the
   * environment configures, and starts regardless of the environment. For
   * tests: pass an `InMemorySpanExporter`.
   */
  exporter?: SpanExporter;
  /** Where the OTEL_* variables are read to decide whether to start. @defaultValue process.env */
  env?: TelemetryEnv;
}

/** The running telemetry of a process. */
export interface Telemetry {
  /** False when nothing was configured: no SDK was loaded, spans are not recorded, nothing is exported. */
  readonly enabled: boolean;
  /** Exports what is buffered, stops the SDK and its instrumentation, and restores the no-op API. */
  shutdown(): Promise<void>;
}

const noTelemetry: Telemetry = { enabled: false, shutdown: async () => {} };
// The instrumentation entry point and the service are bundled separately, each with its own
// copy of this module; the process's telemetry is therefore kept on globalThis.
const registered = Symbol.for("piperelay.telemetry");
type Registry = { [registered]?: Telemetry };

/**
 * Whether the environment asks for traces: not with `OTEL_SDK_DISABLED=true`
 * or `OTEL_TRACES_EXPORTER=none`; yes with any other `OTEL_TRACES_EXPORTER`
 * (`otlp`, `console`, `zipkin`); and when that is unset (meaning OTLP), only
 * if an endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). The SDK alone would export to
 * localhost:4318 and fail there quietly on every batch; PipeRelay stays off.
 */
export function tracingConfigured(env: TelemetryEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "" && name !== "null");
  if (exporters.length > 0) return !exporters.every((name) => name === "none");
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts the OpenTelemetry Node SDK for this process when the environment asks
 * for traces (see {@link tracingConfigured}) or an exporter is given, and
 * registers it so that {@link shutdownTelemetry} can end it. Everything else
 * comes from the standard OTEL_* variables: endpoint, protocol (default
 * `http/protobuf`), headers, sampler, batch sizes, resource attributes.
 * Metrics and logs stay off unless `OTEL_METRICS_EXPORTER` or
 * `OTEL_LOGS_EXPORTER` is set. Outgoing undici requests made under a span get
 * a CLIENT span of their own (query values redacted from `url.full`).
 *
 * When it does not start, the SDK is not even loaded: the OpenTelemetry API
 * stays a no-op and instrumented code pays for little more than a function call.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  if (!options.exporter && !tracingConfigured(env)) return noTelemetry;

  const [{ NodeSDK, resources }, { UndiciInstrumentation }, { SimpleSpanProcessor }] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/instrumentation-undici"),
    import("@opentelemetry/sdk-trace"),
  ]);
  const undici = new UndiciInstrumentation({
    // Only requests made as part of PipeRelay's work (a delivery attempt) are traced.
    requireParentforSpans: true,
    requestHook: redactQuery,
  });
  const sdk = new NodeSDK({
    // Detected attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) are merged over these.
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })),
    ...(options.exporter
      ? { spanProcessors: [new SimpleSpanProcessor({ exporter: options.exporter })] }
      : {}),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [undici],
  });
  sdk.start();

  let stopped: Promise<void> | undefined;
  const telemetry: Telemetry = {
    enabled: true,
    shutdown() {
      stopped ??= (async () => {
        const registry = globalThis as Registry;
        if (registry[registered] === telemetry) delete registry[registered];
        undici.disable();
        try {
          await sdk.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
        }
      })();
      return stopped;
    },
  };
  (globalThis as Registry)[registered] = telemetry;
  return telemetry;
}

/**
 * Shuts down the telemetry {@link startTelemetry} started in this process
 * (exporting what is buffered); does nothing when none runs. Processes call
 * it last when they stop.
 */
export async function shutdownTelemetry(): Promise<void> {
  await (globalThis as Registry)[registered]?.shutdown();
}

/** Webhook URLs may carry secrets in their query: keep the names, replace the values. */
function redactQuery(span: Span, request: UndiciRequest): void {
  const queryStart = request.path.indexOf("?");
  if (queryStart < 0) return;
  const url = new URL(request.path, request.origin);
  for (const name of new Set(url.searchParams.keys())) url.searchParams.set(name, "REDACTED");
  span.setAttributes({ [ATTR_URL_FULL]: url.toString(), [ATTR_URL_QUERY]: url.search.slice(1) });
}
