import type { Logger } from "@piperelay/core";
import type { Pool, PrismaClient } from "@piperelay/db";
import { type EgressPolicy, guardedLookup } from "@piperelay/egress";
import type { Registry } from "@piperelay/metrics";
import {
  ackWaitFor,
  createDeliveryPublisher,
  createOutboxRelay,
  lastJobSequence,
  type NatsConnection,
  prepareQueue,
  type QueueNames,
  republishRecent,
  unsyncedWindowMs,
  watchServerReplaced,
} from "@piperelay/queue";
import { Agent } from "undici";
import { createBacklogParker } from "./backlog-parker.js";
import { consumeJobs, type JobConsumer } from "./consume-jobs.js";
import { createDispatcherMetrics } from "./dispatcher-metrics.js";
import { createEndpointGate } from "./endpoint-gate.js";
import { createEndpointHealth } from "./endpoint-health.js";
import { parkedBacklog } from "./parked-backlog.js";
import { createJobProcessor } from "./process-job.js";
import { queueLagSeconds } from "./queue-lag.js";
import { createRetentionJob } from "./retention.js";
import type { RetryPolicy } from "./retry-policy.js";

export interface DispatcherOptions {
  prisma: PrismaClient;
  /** The pool under `prisma`, for the hot path's statements sent by name. */
  pool: Pool;
  nc: NatsConnection;
  names: QueueNames;
  logger: Logger;
  /** Concurrent attempts in this process. @defaultValue 50 */
  workers: number;
  timeoutMs: number;
  policy: RetryPolicy;
  nakMaxDelayMs: number;
  /** How often the outbox relay looks for deliveries to publish. */
  pollIntervalMs: number;
  /** How long an endpoint's open circuit holds its jobs back before a probe. */
  circuitCooldownMs: number;
  /** Which addresses deliveries may reach. */
  egress: EgressPolicy;
  /** Decrypts endpoint secrets for signing (`config.keys.endpointSecrets`). */
  secretKey: Uint8Array;
  retention: { messageTtlMs: number; attemptTtlMs: number };
  /** A run of failures this long disables an endpoint (0: never); events go to the URL, if any. */
  endpointHealth: { disableAfterMs: number; operationalWebhookUrl: string };
  /** The process's Prometheus registry, for the dispatcher's metrics; none: not measured. */
  metrics?: Registry;
}

export interface Dispatcher {
  start(): Promise<void>;
  /** Stops taking jobs and waits for in-flight attempts; the relay stops last. */
  stop(): Promise<void>;
}

/** The delivery side: the JetStream consumer making attempts, and the outbox relay feeding it. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { prisma, nc, names, logger } = options;
  const ackWaitMs = ackWaitFor(options.timeoutMs);
  // Resolving inside the connection and checking what it resolved to is what stops DNS rebinding.
  const http = new Agent({
    keepAliveTimeout: 30_000,
    connections: 64,
    connect: { lookup: guardedLookup(options.egress) },
  });
  const publisher = createDeliveryPublisher({
    nc,
    pool: options.pool,
    names,
    onPublishError: (err, count) => logger.warn({ err, count }, "outbox relay could not publish; will retry"),
  });
  const relay = createOutboxRelay({
    prisma,
    publisher,
    intervalMs: options.pollIntervalMs,
    probeIntervalMs: options.circuitCooldownMs,
    onError: (err) => logger.warn({ err }, "outbox relay scan failed; will retry"),
  });
  // However quick, one endpoint leaves at least half the workers to the others: should it
  // start to hang, that many are stuck until their attempts time out.
  const gate = createEndpointGate({
    cooldownMs: options.circuitCooldownMs,
    maxConcurrentQuick: Math.floor(options.workers / 2),
  });
  const backlog = createBacklogParker({
    prisma,
    lastJobSequence: () => lastJobSequence(nc, names),
    onParked: (endpointId, parked) =>
      logger.warn(
        {
          endpoint_id: endpointId,
          deliveries: parked.deliveries,
          jobs_through_sequence: parked.coveredThrough,
          until: new Date(parked.untilMs).toISOString(),
        },
        "endpoint circuit open: backlog parked in PostgreSQL",
      ),
  });
  const metrics = options.metrics
    ? createDispatcherMetrics(options.metrics, {
        openCircuits: () => gate.openCircuits(),
        queueLagSeconds: () => queueLagSeconds(prisma),
        parkedBacklog: () => parkedBacklog(prisma),
        logger,
      })
    : undefined;
  const process = createJobProcessor({
    pool: options.pool,
    policy: options.policy,
    timeoutMs: options.timeoutMs,
    nakMaxDelayMs: options.nakMaxDelayMs,
    egress: options.egress,
    secretKey: options.secretKey,
    logger,
    httpDispatcher: http,
    gate,
    backlog,
    metrics,
    endpointHealth: createEndpointHealth({ prisma, logger, metrics, ...options.endpointHealth }),
  });
  const retention = createRetentionJob({ prisma, logger, ...options.retention });
  let consumer: JobConsumer | undefined;

  async function prepare(): Promise<void> {
    const requeued = await prepareQueue(prisma, nc, names, { deliveryTimeoutMs: options.timeoutMs });
    if (requeued > 0) {
      logger.warn({ requeued }, "delivery stream recreated; outstanding deliveries will be republished");
    } else {
      await republishLately("dispatcher starting");
    }
  }

  /**
   * A JetStream server that went down uncleanly may have lost the jobs of the last couple of
   * minutes, acknowledged or not; PostgreSQL still says they are queued. Jobs it kept are
   * dropped as duplicates.
   */
  async function republishLately(reason: string, downMs = 0): Promise<void> {
    const published = await republishRecent(prisma, publisher, unsyncedWindowMs + downMs);
    if (published > 0) logger.info({ published, reason }, "recently queued jobs published again");
  }

  return {
    async start() {
      await prepare();
      watchServerReplaced(nc, (downMs) => {
        republishLately("NATS server replaced", downMs).catch((err) =>
          logger.warn({ err }, "could not publish recently queued jobs again"),
        );
      });
      consumer = await consumeJobs({
        nc,
        names,
        concurrency: options.workers,
        ackWaitMs,
        process,
        // A dead endpoint's parked backlog leaves the stream at JetStream's pace, not a worker's.
        alreadyDone: (job) => backlog.covers(job),
        onMissingTopology: prepare,
        logger,
      });
      relay.start();
      retention.start();
      logger.info({ workers: options.workers, stream: names.stream }, "dispatcher started");
    },
    async stop() {
      await consumer?.stop();
      await relay.stop();
      await retention.stop();
      await http.close();
    },
  };
}
