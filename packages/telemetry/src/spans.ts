import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";

/** The instrumentation scope of PipeRelay's own spans. */
export const tracerName = "piperelay";

/**
 * PipeRelay's tracer from the global tracer provider. Before (or without)
 * `startTelemetry` it is a no-op tracer whose spans cost next to nothing; it
 * starts recording once an SDK is registered, so taking it early is fine.
 */
export function defaultTracer(): Tracer {
  return trace.getTracer(tracerName);
}

/**
 * Runs `fn` in a new span made the active one, and ends the span when `fn`
 * settles. A thrown error is recorded on the span (status ERROR) and rethrown.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks the span failed with `error` as its exception event. */
export function recordError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Adds attributes to the span that is active where this is called (the RPC's
 * span in a handler, the job's span in the dispatcher), if any.
 */
export function setActiveSpanAttributes(attributes: Attributes): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}
