import { type PrismaClient, postgresErrorCode } from "@piperelay/db";
import type { DeliveryJob } from "@piperelay/queue";

export interface BacklogParkerOptions {
  prisma: PrismaClient;
  /** Removes the endpoint's queued jobs from JetStream; returns how many. */
  purgeJobs(applicationId: string, endpointId: string): Promise<number>;
  /** The longest an endpoint's backlog is parked in one go. @defaultValue 600000 */
  maxParkMs?: number;
  now?: () => number;
  onParked?(endpointId: string, parked: { deliveries: number; purgedJobs: number; untilMs: number }): void;
}

/** The held job's delivery now waits in PostgreSQL, or the job should come back later. */
export type ParkResult =
  | { kind: "parked"; reason: string }
  | { kind: "retry"; delayMs: number; reason: string };

interface BacklogState {
  /** When the parked backlog comes back (epoch ms). */
  until: number;
  /** How long it was parked for; doubled while the endpoint keeps failing. */
  windowMs: number;
  /** Held jobs parked one by one since; many of them mean the stream has filled up again. */
  stragglers: number;
  /** When the last park of the backlog finished (epoch ms). */
  parkedAt: number;
}

// Held jobs parked one by one before the endpoint's subject is purged again.
const stragglersBeforeRepark = 200;
// Deliveries parked per statement.
const parkChunk = 10_000;
// The backlog is parked again at most this often while held jobs keep coming.
const minReparkIntervalMs = 2000;

/**
 * Takes a dead endpoint's whole backlog off JetStream when its circuit opens,
 * rather than one held job at a time: with 100,000 jobs queued for it, holding
 * them back one by one keeps every healthy endpoint's jobs waiting behind them.
 *
 * The first held job of an opening purges the endpoint's subject from the
 * stream, then parks all of its outstanding deliveries in PostgreSQL and marks
 * the endpoint's circuit open there (`circuit_open_until`), so that the outbox
 * relay sends only single probes until an attempt succeeds. The purge comes
 * first: a job published between the two is for a delivery the park then
 * covers. Deliveries in flight keep their claim but lose `enqueued_at`, so the
 * relay, not their purged job, brings back any retry they record. Later held
 * jobs (published after the purge) are parked one by one, and when many come
 * the subject is purged again. Only one worker waits for a park; other held
 * jobs of the endpoint come back a moment later. While the endpoint keeps
 * failing, each park lasts twice as long, up to `maxParkMs`.
 */
export function createBacklogParker(options: BacklogParkerOptions) {
  const { prisma } = options;
  const now = options.now ?? Date.now;
  const maxParkMs = options.maxParkMs ?? 600_000;
  const states = new Map<string, BacklogState>();
  const running = new Map<string, Promise<void>>();

  async function parkBacklog(endpointId: string, holdMs: number): Promise<void> {
    const previous = states.get(endpointId);
    const t = now();
    let until: number;
    let windowMs: number;
    if (previous !== undefined && previous.until > t) {
      // Parked already: purge what queued up since, keeping the same end.
      ({ until, windowMs } = previous);
    } else {
      // Parked again soon after the last park ended: the endpoint is still down.
      const stillFailing = previous !== undefined && t - previous.until < previous.windowMs;
      windowMs = Math.min(maxParkMs, stillFailing ? previous.windowMs * 2 : holdMs);
      until = t + windowMs;
    }
    const [endpoint] = await prisma.$queryRaw<{ application_id: string }[]>`
      UPDATE endpoints SET circuit_open_until = to_timestamp(${until / 1000}::float8)
      WHERE id = ${endpointId} RETURNING application_id`;
    if (!endpoint) return;
    const purgedJobs = await options.purgeJobs(endpoint.application_id, endpointId);
    // In chunks, each locking its rows in id order like the enqueued marks do: two statements
    // updating many of the same rows in different orders would deadlock.
    let deliveries = 0;
    let after = "";
    for (;;) {
      const [chunk] = await prisma.$queryRaw<{ parked: number; last: string | null }[]>`
        WITH chunk AS (
          SELECT id FROM deliveries
          WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND id > ${after}
            -- Not parked for this window yet (parking again just rewrites the same values).
            AND (enqueued_at IS NOT NULL OR next_retry_at IS NULL
                 OR next_retry_at < to_timestamp(${until / 1000}::float8))
          ORDER BY id LIMIT ${parkChunk}
          FOR UPDATE
        ), parked AS (
          UPDATE deliveries AS d SET
            enqueued_at = NULL,
            next_retry_at = CASE WHEN d.locked_until IS NULL OR d.locked_until < now()
              THEN GREATEST(COALESCE(d.next_retry_at, now()), to_timestamp(${until / 1000}::float8))
              ELSE d.next_retry_at END
          FROM chunk WHERE d.id = chunk.id
          RETURNING d.id
        )
        SELECT count(*)::int AS parked, max(id) AS last FROM parked`;
      deliveries += chunk?.parked ?? 0;
      if (!chunk?.last || chunk.parked < parkChunk) break;
      after = chunk.last;
    }
    states.set(endpointId, { until, windowMs, stragglers: 0, parkedAt: now() });
    options.onParked?.(endpointId, { deliveries, purgedJobs, untilMs: until });
  }

  /**
   * Parks one delivery unless its row is locked (by a chunk of a park, or a mark),
   * rather than keep a worker waiting that healthy endpoints' jobs need.
   */
  async function parkWithoutWaiting(deliveryId: string, until: number): Promise<boolean> {
    try {
      await prisma.$executeRaw`
        UPDATE deliveries SET enqueued_at = NULL,
          next_retry_at = GREATEST(COALESCE(next_retry_at, now()), to_timestamp(${until / 1000}::float8))
        WHERE id = (
          SELECT id FROM deliveries
          WHERE id = ${deliveryId} AND status IN ('pending', 'retrying')
            AND (locked_until IS NULL OR locked_until < now())
          FOR UPDATE NOWAIT)`;
      return true;
    } catch (error) {
      // 55P03 lock_not_available: the row is locked right now.
      if (postgresErrorCode(error) === "55P03") return false;
      throw error;
    }
  }

  return {
    /** Parks a job held back by an open circuit, with the endpoint's whole backlog when this is a new opening. */
    async park(job: DeliveryJob, holdMs: number): Promise<ParkResult> {
      // A park under way purges this job or parks its delivery; if not, it comes back.
      if (running.has(job.endpointId))
        return { kind: "retry", delayMs: 1000, reason: "backlog being parked" };
      const state = states.get(job.endpointId);
      const t = now();
      const repark =
        state !== undefined &&
        ++state.stragglers >= stragglersBeforeRepark &&
        t - state.parkedAt >= minReparkIntervalMs;
      if (state !== undefined && state.until > t && !repark) {
        return (await parkWithoutWaiting(job.deliveryId, state.until))
          ? { kind: "parked", reason: "parked" }
          : { kind: "retry", delayMs: 1000, reason: "delivery locked; parking later" };
      }
      const pending = parkBacklog(job.endpointId, holdMs).finally(() => running.delete(job.endpointId));
      running.set(job.endpointId, pending);
      await pending;
      // The job's own delivery was outstanding when the backlog was parked, unless it was
      // committed in between: park it on its own too (a no-op when already parked).
      return (await parkWithoutWaiting(job.deliveryId, states.get(job.endpointId)?.until ?? t + holdMs))
        ? { kind: "parked", reason: "parked with the backlog" }
        : { kind: "retry", delayMs: 1000, reason: "delivery locked; parking later" };
    },
    /** An attempt to the endpoint succeeded: the next opening starts from the shortest park again. */
    recovered(endpointId: string): void {
      states.delete(endpointId);
    },
  };
}

export type BacklogParker = ReturnType<typeof createBacklogParker>;
