import { type PrismaClient, postgresErrorCode } from "@piperelay/db";
import type { ReceivedJob } from "@piperelay/queue";

export interface BacklogParkerOptions {
  prisma: PrismaClient;
  /** The stream sequence of the newest job queued so far (see lastJobSequence). */
  lastJobSequence(): Promise<number>;
  /** The longest an endpoint's backlog is parked in one go. @defaultValue 600000 */
  maxParkMs?: number;
  now?: () => number;
  onParked?(
    endpointId: string,
    parked: { deliveries: number; coveredThrough: number; untilMs: number },
  ): void;
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
  /**
   * Jobs up to this stream sequence were queued before the park began, so their
   * deliveries are parked: they are acknowledged without a query.
   */
  coveredThrough: number;
  /** Later held jobs parked one by one since; many of them mean the stream has filled up again. */
  stragglers: number;
  /** When the last park of the backlog finished (epoch ms). */
  parkedAt: number;
}

// Held jobs parked one by one before the endpoint's backlog is parked again.
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
 * The first held job of an opening notes the stream's last sequence, then
 * parks all of the endpoint's outstanding deliveries in PostgreSQL and marks
 * its circuit open there (`circuit_open_until`), so that the outbox relay sends
 * only single probes until an attempt succeeds. Every job up to that sequence
 * was published after its delivery committed, so the park covers it: those
 * jobs are acknowledged as they come, without a query, and leave the stream at
 * JetStream's own pace. (A subject-filtered purge would take them off faster,
 * but on NATS 2.9 it moves the shared consumer past every other endpoint's
 * pending and NAK-delayed jobs, which are then lost.) Deliveries in flight keep
 * their claim but lose `enqueued_at`, so the relay, not their job, brings back
 * any retry they record. Later held jobs are parked one by one, and when many
 * come the backlog is parked again. Held jobs arriving while a park runs wait
 * for it. While the endpoint keeps failing, each park lasts twice as long, up
 * to `maxParkMs`.
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
    // Noted before the park: the jobs up to it are for deliveries the park then sees.
    const coveredThrough = await options.lastJobSequence();
    const [endpoint] = await prisma.$queryRaw<{ application_id: string }[]>`
      UPDATE endpoints SET circuit_open_until = to_timestamp(${until / 1000}::float8)
      WHERE id = ${endpointId} RETURNING application_id`;
    if (!endpoint) return;
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
    states.set(endpointId, { until, windowMs, coveredThrough, stragglers: 0, parkedAt: now() });
    options.onParked?.(endpointId, { deliveries, coveredThrough, untilMs: until });
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
    async park(job: ReceivedJob, holdMs: number): Promise<ParkResult> {
      // Wait for a park under way: it is likely to cover this job. Only this endpoint's
      // held jobs wait, and they would otherwise come back by the thousand.
      const underway = running.get(job.endpointId);
      if (underway) await underway.catch(() => {});
      const state = states.get(job.endpointId);
      const t = now();
      if (state !== undefined && state.until > t && job.sequence <= state.coveredThrough)
        return { kind: "parked", reason: "parked with the backlog" };
      const repark =
        state !== undefined &&
        ++state.stragglers >= stragglersBeforeRepark &&
        t - state.parkedAt >= minReparkIntervalMs;
      if (state !== undefined && state.until > t && !repark) {
        return (await parkWithoutWaiting(job.deliveryId, state.until))
          ? { kind: "parked", reason: "parked" }
          : { kind: "retry", delayMs: 1000, reason: "delivery locked; parking later" };
      }
      if (running.has(job.endpointId))
        return { kind: "retry", delayMs: 1000, reason: "backlog being parked" };
      const pending = parkBacklog(job.endpointId, holdMs).finally(() => running.delete(job.endpointId));
      running.set(job.endpointId, pending);
      await pending;
      if (job.sequence <= (states.get(job.endpointId)?.coveredThrough ?? 0))
        return { kind: "parked", reason: "parked with the backlog" };
      // Committed after the park began: park it on its own (a no-op when already parked).
      return (await parkWithoutWaiting(job.deliveryId, states.get(job.endpointId)?.until ?? t + holdMs))
        ? { kind: "parked", reason: "parked" }
        : { kind: "retry", delayMs: 1000, reason: "delivery locked; parking later" };
    },
    /** An attempt to the endpoint succeeded: the next opening starts from the shortest park again. */
    recovered(endpointId: string): void {
      states.delete(endpointId);
    },
  };
}

export type BacklogParker = ReturnType<typeof createBacklogParker>;
