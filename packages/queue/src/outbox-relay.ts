import type { PrismaClient } from "@piperelay/db";
import { type DeliveryRow, queuedDelivery } from "./delivery-row.js";
import type { DeliveryPublisher } from "./publisher.js";

export interface OutboxRelayOptions {
  prisma: PrismaClient;
  publisher: DeliveryPublisher;
  /** Pause between scans when there is nothing to publish. */
  intervalMs: number;
  /**
   * Leave deliveries changed more recently than this to the process that
   * changed them (ingest publishes right after its commit). @defaultValue 5000
   */
  graceMs?: number;
  /** @defaultValue 500 */
  batchSize?: number;
  /**
   * While an endpoint's backlog is parked behind an open circuit
   * (`endpoints.circuit_open_until`), one delivery of it is republished this
   * often as a probe; the rest wait until an attempt succeeds. @defaultValue 30000
   */
  probeIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface OutboxRelay {
  /** One scan; returns how many deliveries it published. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Publishes deliveries that are due but not on JetStream: those whose ingest
 * died between commit and publish, whose publish failed (NATS down), and
 * retries parked in PostgreSQL because their delay was too long for a NAK.
 * Several relays may run at once; the dispatcher's claim makes a double
 * publish harmless.
 *
 * Endpoints whose backlog a dispatcher parked because their circuit opened are
 * left out, except for one probe per `probeIntervalMs`: republishing a dead
 * endpoint's whole backlog every time its circuit half-opens would flood the
 * stream ahead of every healthy endpoint's work.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { prisma, publisher } = options;
  const graceMs = options.graceMs ?? 5000;
  const batchSize = options.batchSize ?? 500;
  const probeIntervalMs = options.probeIntervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function runOnce(): Promise<number> {
    const rows = await prisma.$queryRaw<(DeliveryRow & { next_retry_at: Date })[]>`
      WITH probed AS (
        -- Moving the circuit's time on claims the probe, so concurrent relays send one. An
        -- endpoint whose row another transaction has locked is probed next time: waiting for
        -- it would hold up every other endpoint's republishing.
        UPDATE endpoints SET circuit_open_until = now() + make_interval(secs => ${probeIntervalMs / 1000}::float8)
        WHERE id IN (SELECT id FROM endpoints WHERE circuit_open_until <= now() FOR UPDATE SKIP LOCKED)
        RETURNING id
      )
      (SELECT d.id, d.application_id, d.endpoint_id, d.attempt_count, d.message_id, m.event_type, m.trace_context,
              d.next_retry_at
       FROM deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.enqueued_at IS NULL AND d.status IN ('pending', 'retrying')
         AND d.next_retry_at <= now() AND d.updated_at < now() - make_interval(secs => ${graceMs / 1000}::float8)
         AND NOT EXISTS (
           SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.circuit_open_until IS NOT NULL)
       ORDER BY d.next_retry_at LIMIT ${batchSize})
      UNION ALL
      (SELECT p.* FROM probed, LATERAL (
         SELECT d.id, d.application_id, d.endpoint_id, d.attempt_count, d.message_id, m.event_type, m.trace_context,
                d.next_retry_at
         FROM deliveries d JOIN messages m ON m.id = d.message_id
         WHERE d.endpoint_id = probed.id AND d.enqueued_at IS NULL AND d.status IN ('pending', 'retrying')
           AND d.next_retry_at <= now()
         ORDER BY d.next_retry_at LIMIT 1) p)`;
    const jobs = rows.map((row) => queuedDelivery(row, row.next_retry_at));
    return publisher.publish(jobs);
  }

  async function loop(): Promise<void> {
    let published = 0;
    try {
      published = await runOnce();
    } catch (error) {
      options.onError?.(error);
    }
    if (stopped) return;
    timer = setTimeout(tick, published >= batchSize ? 0 : options.intervalMs);
  }

  function tick(): void {
    running = loop();
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
