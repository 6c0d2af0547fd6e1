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
 * Run it in the transaction that then clears the endpoint's circuit
 * (`endPark`): until the circuit is cleared the outbox relay republishes none
 * of the endpoint's deliveries, so it cannot take the backlog before it is
 * spread. Returns how many deliveries it rescheduled.
 */
export async function releaseParkedBacklog(
  prisma: Pick<PrismaClient, "$queryRaw">,
  endpointId: string,
  perSecond = releasePerSecond,
): Promise<number> {
  return updateInIdChunks(async (after, done) => {
    const [chunk] = await prisma.$queryRaw<ChunkResult[]>`
      WITH chunk AS (
        SELECT id FROM deliveries
        WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL
          AND id > ${after}
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

/**
 * Ends an endpoint's run of failures after a success: clears `failing_since`
 * and, if its backlog was parked (`circuit_open_until`), releases the backlog
 * and clears the circuit in one transaction. The endpoint's row is locked
 * first, so of several successes at once only the first releases (the others
 * find the circuit cleared), and ingest, which only reads the row and takes
 * key-share locks for its deliveries, is not held up. Returns how many
 * deliveries were released, or undefined when the backlog was not parked.
 */
export async function endPark(prisma: PrismaClient, endpointId: string): Promise<number | undefined> {
  return prisma.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ parked: boolean }[]>`
        SELECT circuit_open_until IS NOT NULL AS parked FROM endpoints WHERE id = ${endpointId}
        FOR NO KEY UPDATE`;
      const released = row?.parked ? await releaseParkedBacklog(tx, endpointId) : undefined;
      await tx.$executeRaw`
        UPDATE endpoints SET failing_since = NULL, circuit_open_until = NULL
        WHERE id = ${endpointId} AND (failing_since IS NOT NULL OR circuit_open_until IS NOT NULL)`;
      return released;
    },
    // A backlog of 100,000 is ten statements of 10,000 rows.
    { timeout: 120_000 },
  );
}
