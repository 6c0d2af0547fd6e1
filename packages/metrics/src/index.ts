export type { Registry } from "prom-client";
export { Counter, Gauge, Histogram } from "prom-client";
export type { MetricsEndpoint } from "./registry.js";
export { createMetricsRegistry, metricsEndpoint } from "./registry.js";
