export type { Registry } from "prom-client";
export { Counter, Gauge, Histogram } from "prom-client";
export { aggregateWorkerMetrics, workerMetricsEndpoint } from "./cluster-metrics.js";
export type { MetricsEndpoint } from "./registry.js";
export { createMetricsRegistry, metricsEndpoint } from "./registry.js";
