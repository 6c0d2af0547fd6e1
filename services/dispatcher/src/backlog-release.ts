import type { PrismaClient } from "@piperelay/db";
import { type ChunkResult, chunkSize, updateInIdChunks } from "./update-in-id-chunks.js";

/** Deliveries a recovered endpoint's backlog is released at, per second, oldest first. */
export const releasePerSecond = 200;

/**
 * Brings a recovered endpoint's parked backlog back, spread out: its
 * deliveries waiting in PostgreSQL become due `perSecond` a second from now,
 * oldest first, whatever their due time was. Released at once, the backlog
 * would go onto JetStream in one go, in front of every other endpoint's jobs,
 * to wait at this endpoint's concurrency cap. Keeping an earlier due time would
 * do just that: the first success is usually the probe the outbox relay sends
 * when the park ends, the moment every parked delivery comes due.
 *
 * Call it while the endpoint's circuit is still recorded as open, and clear
 * the circuit after: until then the outbox relay republishes none of the
 * endpoint's deliveries, so it cannot take the backlog before it is spread.
 * Only deliveries created up to `parkedBefore` move, so a delivery ingest
 * published after another process cleared the circuit keeps its due time (its
 * job is on JetStream, and a later due time would only send it back there).
 * Returns how many deliveries it rescheduled.
 */
export async function releaseParkedBacklog(
  prisma: PrismaClient,
  endpointId: string,
  parkedBefore: Date,
  perSecond = releasePerSecond,
): Promise<number> {
  return updateInIdChunks(async (after, done) => {
    const [chunk] = await prisma.$queryRaw<ChunkResult[]>`
      WITH chunk AS (
        SELECT id FROM deliveries
        WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL
          AND created_at <= ${parkedBefore} AND id > ${after}
        ORDER BY id LIMIT ${chunkSize}
        FOR UPDATE
      ), slotted AS (
        SELECT id, row_number() OVER (ORDER BY id) + ${done}::int AS n FROM chunk
      ), updated AS (
        UPDATE deliveries AS d
        SET next_retry_at = now() + make_interval(secs => slotted.n / ${perSecond}::float8)
        FROM slotted WHERE d.id = slotted.id
        RETURNING d.id
      )
      SELECT count(*)::int AS changed, max(id) AS last FROM updated`;
    return chunk;
  });
}
