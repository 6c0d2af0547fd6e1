import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";
import type { MetricsEndpoint } from "./registry.js";

// A worker's request for the whole service's metrics, and the primary's answer.
const request = "piperelay:metrics-request";
const response = "piperelay:metrics-response";
// prom-client gives up on a worker that has not answered after 5 s; so does the worker here.
const answerTimeoutMs = 6000;

interface MetricsRequest {
  type: typeof request;
  id: number;
}

interface MetricsResponse {
  type: typeof response;
  id: number;
  text?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

/**
 * In the primary of a service running as several processes: answers each
 * worker's request for metrics with every worker's registry, aggregated
 * (counters and histograms summed; gauges by the aggregator each declares).
 * The workers share the API's port, so a scrape reaches one of them at
 * random; it asks here, and every scrape sees the whole service.
 */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, request)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: response, id: message.id, text } satisfies MetricsResponse),
      (err: unknown) =>
        worker.send({ type: response, id: message.id, error: String(err) } satisfies MetricsResponse),
    );
  });
}

/**
 * `/metrics` in a worker process: its own registry is what it gives the
 * primary when asked (see {@link aggregateWorkerMetrics}); what it serves is
 * the whole service's.
 */
export function workerMetricsEndpoint(registry: Registry): MetricsEndpoint {
  AggregatorRegistry.setRegistries([registry]);
  // Constructed for its side effect: it makes this worker answer the primary's requests.
  new AggregatorRegistry();
  let nextId = 0;
  const waiting = new Map<number, (answer: MetricsResponse) => void>();
  process.on("message", (message: unknown) => {
    if (isMessage<MetricsResponse>(message, response)) waiting.get(message.id)?.(message);
  });
  return {
    contentType: registry.contentType,
    render() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error("the service's other processes did not send their metrics in time"));
        }, answerTimeoutMs);
        waiting.set(id, (answer) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(`could not collect the service's metrics: ${answer.error}`));
        });
        process.send?.({ type: request, id } satisfies MetricsRequest);
      });
    },
  };
}
