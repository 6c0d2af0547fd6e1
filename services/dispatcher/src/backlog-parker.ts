import type { PrismaClient } from "@piperelay/db";
import type { ReceivedJob } from "@piperelay/queue";
import { type ChunkResult, chunkSize, updateInIdChunks } from "./update-in-id-chunks.js";

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
  /** When the last park of the backlog finished (epoch ms). */
  parkedAt: number;
}

// While jobs queued after a park keep coming, the backlog is parked again at most this
// often; they come back after the same time, to be covered by the next park.
const minReparkIntervalMs = 1000;

function retryShortly(reason: string): ParkResult {
  return { kind: "retry", delayMs: minReparkIntervalMs, reason };
}

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
 * any retry they record. Held jobs queued after the park, or arriving while
 * it runs, come back a second later, when the backlog has been parked again
 * (at most once a second) with a newer sequence. While the endpoint keeps
 * failing, each park lasts twice as long, up to `maxParkMs`.
 */
export function createBacklogParker(options: BacklogParkerOptions) {
  const { prisma } = options;
  const now = options.now ?? Date.now;
  const maxParkMs = options.maxParkMs ?? 600_000;
  const states = new Map<string, BacklogState>();
  // Endpoints whose backlog is being parked right now.
  const parking = new Set<string>();

  async function parkBacklog(endpointId: string, holdMs: number): Promise<void> {
    const previous = states.get(endpointId);
    const t = now();
    let until: number;
    let windowMs: number;
    if (previous !== undefined && previous.until > t) {
      // Parked already: park what queued up since, keeping the same end.
      ({ until, windowMs } = previous);
    } else {
      // Parked again soon after the last park ended: the endpoint is still down.
      const stillFailing = previous !== undefined && t - previous.until < previous.windowMs;
      windowMs = Math.min(maxParkMs, stillFailing ? previous.windowMs * 2 : holdMs);
      until = t + windowMs;
    }
    // Noted before the park: the jobs up to it are for deliveries the park then sees.
    const coveredThrough = await options.lastJobSequence();
    const found = await prisma.$executeRaw`
      UPDATE endpoints SET circuit_open_until = to_timestamp(${until / 1000}::float8) WHERE id = ${endpointId}`;
    if (found === 0) return;
    const deliveries = await updateInIdChunks(async (after) => {
      const [chunk] = await prisma.$queryRaw<ChunkResult[]>`
        WITH chunk AS (
          SELECT id FROM deliveries
          WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND id > ${after}
            -- Not parked for this window yet (parking again just rewrites the same values).
            AND (enqueued_at IS NOT NULL OR next_retry_at IS NULL
                 OR next_retry_at < to_timestamp(${until / 1000}::float8))
          ORDER BY id LIMIT ${chunkSize}
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
        SELECT count(*)::int AS changed, max(id) AS last FROM parked`;
      return chunk;
    });
    states.set(endpointId, { until, windowMs, coveredThrough, parkedAt: now() });
    options.onParked?.(endpointId, { deliveries, coveredThrough, untilMs: until });
  }

  /** Whether a park covers the job: its delivery waits in PostgreSQL, and the job can go. */
  function covers(job: ReceivedJob): boolean {
    const state = states.get(job.endpointId);
    return state !== undefined && state.until > now() && job.sequence <= state.coveredThrough;
  }

  return {
    covers,
    /**
     * Parks a job held back by an open circuit: the endpoint's whole backlog when this
     * is a new opening; no query at all when an earlier park covers the job.
     */
    async park(job: ReceivedJob, holdMs: number): Promise<ParkResult> {
      if (covers(job)) return { kind: "parked", reason: "parked with the backlog" };
      const state = states.get(job.endpointId);
      const t = now();
      const active = state !== undefined && state.until > t;
      // Coming back in a second costs nothing; waiting here would take a worker that
      // healthy endpoints' jobs need, and parking row by row a query per job.
      if (parking.has(job.endpointId)) return retryShortly("backlog being parked");
      if (active && t - state.parkedAt < minReparkIntervalMs)
        return retryShortly("queued after the backlog was parked; parked again shortly");
      parking.add(job.endpointId);
      try {
        await parkBacklog(job.endpointId, holdMs);
      } finally {
        parking.delete(job.endpointId);
      }
      // The job's delivery committed before the job was published, so before the park began.
      // Not covered means the endpoint is gone, and its deliveries with it.
      return covers(job)
        ? { kind: "parked", reason: "parked with the backlog" }
        : { kind: "parked", reason: "endpoint deleted" };
    },
    /** An attempt to the endpoint succeeded: the next opening starts from the shortest park again. */
    recovered(endpointId: string): void {
      states.delete(endpointId);
    },
  };
}

export type BacklogParker = ReturnType<typeof createBacklogParker>;
