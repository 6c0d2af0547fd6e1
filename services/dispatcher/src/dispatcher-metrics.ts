import type { Logger } from "@piperelay/core";
import { Counter, Gauge, Histogram, type Registry } from "@piperelay/metrics";
import type { ParkedBacklog } from "./parked-backlog.js";
import type { NextState } from "./record-attempts.js";

/** Why an endpoint was disabled: a run of failures (`delivery.disable_after`) or a 410 Gone. */
export type DisableKind = "auto" | "gone";

const holdBackReasons = ["at_capacity", "circuit_open", "rate_limited"] as const;
/** Why a job went back to JetStream without an attempt. */
export type HoldBackReason = (typeof holdBackReasons)[number];

/** What the dispatcher counts, for Prometheus. */
export interface DispatcherMetrics {
  /**
   * An attempt was recorded, leaving the delivery in `status`; `latencyMs`
   * when a request was actually sent (not for a disabled endpoint or a blocked URL).
   */
  attemptRecorded(status: NextState["status"], latencyMs: number | undefined): void;
  /** This process disabled an endpoint. */
  endpointDisabled(kind: DisableKind): void;
  /** A job at an endpoint's cap was taken off JetStream to wait in PostgreSQL for its turn. */
  jobDeferred(): void;
  /** A job went back to JetStream without an attempt, to come back later. */
  jobHeldBack(reason: HoldBackReason): void;
}

export interface DispatcherMetricsSources {
  /** Endpoints whose circuit is open in this process right now. */
  openCircuits(): number;
  /** Seconds since the oldest due, unfinished delivery became due; read at scrape time. */
  queueLagSeconds(): Promise<number>;
  /** What is parked behind open circuits, database-wide; read at scrape time. */
  parkedBacklog(): Promise<ParkedBacklog>;
  /** Told when the queue lag or the parked backlog cannot be read (the gauges then keep their last values). */
  logger: Logger;
}

// Webhook requests: from a fast local receiver to the delivery timeout (30 s by default).
const attemptBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Registers the dispatcher's metrics in the process's registry. Labels are bounded: no ids. */
export function createDispatcherMetrics(
  registry: Registry,
  sources: DispatcherMetricsSources,
): DispatcherMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: "piperelay_deliveries_total",
    help: "Delivery attempts recorded, by the delivery's state after the attempt: success, retrying or failed (retries exhausted, or a permanent failure).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const attemptDuration = new Histogram({
    name: "piperelay_attempt_duration_seconds",
    help: "Duration of webhook requests, from sending to the end of the response (or the timeout).",
    buckets: attemptBuckets,
    registers,
  });
  const endpointsDisabled = new Counter({
    name: "piperelay_endpoints_disabled_total",
    help: "Endpoints disabled by this process: auto (every attempt failed for delivery.disable_after) or gone (410 Gone).",
    labelNames: ["reason"] as const,
    registers,
  });
  const jobsDeferred = new Counter({
    name: "piperelay_jobs_deferred_total",
    help: "Jobs taken off JetStream at an endpoint's concurrency cap, their turn more than 2 s away (10 s for a quick endpoint), to wait in PostgreSQL.",
    registers,
  });
  const jobsHeldBack = new Counter({
    name: "piperelay_jobs_held_back_total",
    help: "Jobs sent back to JetStream without an attempt, to come back later: at_capacity (the endpoint had as many attempts in flight as this process allows it), circuit_open (its circuit is open and the job was not parked with the backlog: the probe is out, or the job came after the park began), rate_limited (its rate_limit was reached).",
    labelNames: ["reason"] as const,
    registers,
  });
  new Gauge({
    name: "piperelay_open_circuits",
    help: "Endpoints whose circuit breaker is open in this process (their jobs are held back); with server.processes above 1, summed over the processes.",
    registers,
    collect() {
      this.set(sources.openCircuits());
    },
  });
  new Gauge({
    name: "piperelay_queue_lag_seconds",
    help: "Age of the oldest delivery that is due and not finished; 0 when delivery is keeping up.",
    registers,
    // Read from PostgreSQL: each of a service's processes sees the same.
    aggregator: "max",
    async collect() {
      try {
        this.set(await sources.queueLagSeconds());
      } catch (err) {
        sources.logger.warn({ err }, "could not read the queue lag for metrics");
      }
    },
  });
  // Both gauges come from one query: the first to collect in a scrape reads it for both.
  let parkedRead: { at: number; backlog: Promise<ParkedBacklog> } | undefined;
  const readParked = (): Promise<ParkedBacklog> => {
    const now = Date.now();
    if (parkedRead === undefined || now - parkedRead.at > 1000) {
      parkedRead = { at: now, backlog: sources.parkedBacklog() };
    }
    return parkedRead.backlog;
  };
  const parkedGauge = (name: string, help: string, pick: (b: ParkedBacklog) => number) =>
    new Gauge({
      name,
      help,
      registers,
      aggregator: "max",
      async collect() {
        try {
          this.set(pick(await readParked()));
        } catch (err) {
          sources.logger.warn({ err }, "could not read the parked backlog for metrics");
        }
      },
    });
  parkedGauge(
    "piperelay_parked_endpoints",
    "Endpoints whose backlog is parked in PostgreSQL behind an open circuit, database-wide.",
    (b) => b.endpoints,
  );
  parkedGauge(
    "piperelay_parked_deliveries",
    "Outstanding deliveries parked behind open circuits, database-wide: not due until the park ends, so not in the queue lag.",
    (b) => b.deliveries,
  );
  // Zeroes, so the series exist (and rates work) before the first attempt.
  for (const outcome of ["success", "retrying", "failed"] as const) deliveries.inc({ outcome }, 0);
  for (const reason of ["auto", "gone"] as const) endpointsDisabled.inc({ reason }, 0);
  for (const reason of holdBackReasons) jobsHeldBack.inc({ reason }, 0);
  return {
    attemptRecorded(status, latencyMs) {
      deliveries.inc({ outcome: status });
      if (latencyMs !== undefined) attemptDuration.observe(latencyMs / 1000);
    },
    endpointDisabled: (kind) => endpointsDisabled.inc({ reason: kind }),
    jobDeferred: () => jobsDeferred.inc(),
    jobHeldBack: (reason) => jobsHeldBack.inc({ reason }),
  };
}
