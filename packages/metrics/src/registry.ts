import { collectDefaultMetrics, Registry } from "prom-client";

/** What an HTTP server needs to answer `GET /metrics`, without depending on prom-client. */
export interface MetricsEndpoint {
  /** The exposition format's content type, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** Collects every metric (running their `collect` callbacks) and renders the text. */
  render(): Promise<string>;
}

/**
 * One Prometheus registry per process, with prom-client's default process
 * metrics already registered under their usual names (`process_*`,
 * `nodejs_*`: CPU, memory, event loop lag, GC), so stock Node.js dashboards
 * work. Components add their own `piperelay_*` metrics to it.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The registry as the API server serves it at `/metrics`. */
export function metricsEndpoint(registry: Registry): MetricsEndpoint {
  return { contentType: registry.contentType, render: () => registry.metrics() };
}
