import type { PrismaClient } from "@piperelay/db";
import { type ChunkResult, chunkSize, updateInIdChunks } from "./update-in-id-chunks.js";

/** Deliveries a recovered endpoint's backlog is released at, per second, oldest first. */
export const releasePerSecond = 200;

/**
 * Brings a recovered endpoint's parked backlog back, spread out: its deliveries
 * waiting in PostgreSQL become due `releasePerSecond` a second, oldest first,
 * each no later than it already was. Left as parked, the backlog would wait for
 * the end of its park (up to ten minutes) and then all come due at once, and
 * the outbox relay would put it on JetStream in one go, in front of every other
 * endpoint's jobs, to wait at this endpoint's concurrency cap. Returns how many
 * deliveries it rescheduled.
 */
export async function releaseParkedBacklog(
  prisma: PrismaClient,
  endpointId: string,
  perSecond = releasePerSecond,
): Promise<number> {
  return updateInIdChunks(async (after, done) => {
    const [chunk] = await prisma.$queryRaw<ChunkResult[]>`
      WITH chunk AS (
        SELECT id FROM deliveries
        WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL
          AND next_retry_at > now() AND id > ${after}
        ORDER BY id LIMIT ${chunkSize}
        FOR UPDATE
      ), slotted AS (
        SELECT id, row_number() OVER (ORDER BY id) + ${done}::int AS n FROM chunk
      ), updated AS (
        UPDATE deliveries AS d
        SET next_retry_at = LEAST(d.next_retry_at, now() + make_interval(secs => slotted.n / ${perSecond}::float8))
        FROM slotted WHERE d.id = slotted.id
        RETURNING d.id
      )
      SELECT count(*)::int AS changed, max(id) AS last FROM updated`;
    return chunk;
  });
}
