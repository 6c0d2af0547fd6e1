import type { PrismaClient } from "@piperelay/db";

/**
 * Age in seconds of the oldest delivery that is due and not finished (0 when
 * none is): how far behind delivery is running. One look-up per endpoint on
 * `idx_deliveries_endpoint (endpoint_id, status)`, which reads only unfinished
 * deliveries, so it stays cheap however many finished ones the table holds.
 */
export async function queueLagSeconds(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ lag: number | null }[]>`
    SELECT EXTRACT(EPOCH FROM now() - min(oldest.due))::float8 AS lag
    FROM endpoints e
    CROSS JOIN LATERAL (
      SELECT min(d.next_retry_at) AS due FROM deliveries d
      WHERE d.endpoint_id = e.id AND d.status IN ('pending', 'retrying') AND d.next_retry_at <= now()
    ) oldest`;
  return Math.max(0, row?.lag ?? 0);
}
