import type { PrismaClient } from "@piperelay/db";
import { type ChunkResult, updateInIdChunks } from "./update-in-id-chunks.js";

/** Deliveries a recovered endpoint's backlog is released at, per second, oldest first. */
export const releasePerSecond = 200;

// Rows per statement: each statement's rows are written and committed together, and a
// commit of tens of thousands of rows made every other commit wait for it (the healthy
// endpoint's p99 went to 1.9 s while a 90,000-delivery backlog was rescheduled in one go).
const releaseChunk = 2000;

/**
 * Brings a recovered endpoint's parked backlog back, spread out: its
 * deliveries waiting in PostgreSQL become due `perSecond` a second from now,
 * oldest first, whatever their due time was. Released at once, the backlog
 * would go onto JetStream in one go, in front of every other endpoint's jobs,
 * to wait at this endpoint's concurrency cap. Keeping an earlier due time would
 * do just that: the first success is usually the probe the outbox relay sends
 * when the park ends, the moment every parked delivery comes due.
 *
 * Call it before clearing the endpoint's circuit (`endPark`): until then the
 * outbox relay republishes none of the endpoint's deliveries, so it cannot take
 * the backlog before it is spread. Returns how many deliveries it rescheduled.
 */
export async function releaseParkedBacklog(
  prisma: PrismaClient,
  endpointId: string,
  perSecond = releasePerSecond,
): Promise<number> {
  return updateInIdChunks(releaseChunk, async (after, done) => {
    const [chunk] = await prisma.$queryRaw<ChunkResult[]>`
      WITH chunk AS (
        SELECT id FROM deliveries
        WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL
          AND id > ${after}
        ORDER BY id LIMIT ${releaseChunk}
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

/**
 * Ends an endpoint's run of failures after a success: if its backlog was
 * parked (`circuit_open_until`), releases it, then clears the circuit and
 * `failing_since`. Returns how many deliveries were released, or undefined
 * when the backlog was not parked. Two processes ending the same park at once
 * both reschedule what is still waiting (the later one from its own moment),
 * which costs writes but loses nothing.
 */
export async function endPark(prisma: PrismaClient, endpointId: string): Promise<number | undefined> {
  const [row] = await prisma.$queryRaw<{ parked: boolean }[]>`
    SELECT circuit_open_until IS NOT NULL AS parked FROM endpoints WHERE id = ${endpointId}`;
  const released = row?.parked ? await releaseParkedBacklog(prisma, endpointId) : undefined;
  await prisma.$executeRaw`
    UPDATE endpoints SET failing_since = NULL, circuit_open_until = NULL
    WHERE id = ${endpointId} AND (failing_since IS NOT NULL OR circuit_open_until IS NOT NULL)`;
  return released;
}
