import type { PrismaClient } from "@piperelay/db";
import { successRate } from "./success-rate.js";

/** Delivery figures of one endpoint over its whole history. */
export interface EndpointStats {
  totalDeliveries: number;
  successfulDeliveries: number;
  failedDeliveries: number;
  /** Pending and retrying: waiting for their first or next attempt. */
  pendingDeliveries: number;
  successRate: number;
  /** Mean latency of every attempt; 0 when there were none. */
  avgLatencyMs: number;
  lastAttemptAt: Date | undefined;
}

/** Counts the endpoint's deliveries by status and averages its attempts' latency, in one round trip. */
export async function computeEndpointStats(prisma: PrismaClient, endpointId: string): Promise<EndpointStats> {
  const rows = await prisma.$queryRaw<
    {
      total: number;
      successful: number;
      failed: number;
      pending: number;
      avg_latency_ms: number | null;
      last_attempt_at: Date | null;
    }[]
  >`
    SELECT d.total, d.successful, d.failed, d.pending, a.avg_latency_ms, a.last_attempt_at
    FROM (
      SELECT count(*)::int AS total,
             (count(*) FILTER (WHERE status = 'success'))::int AS successful,
             (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
             (count(*) FILTER (WHERE status IN ('pending', 'retrying')))::int AS pending
      FROM deliveries WHERE endpoint_id = ${endpointId}
    ) d,
    (
      SELECT avg(att.latency_ms)::float8 AS avg_latency_ms, max(att.created_at) AS last_attempt_at
      FROM attempts att JOIN deliveries dl ON dl.id = att.delivery_id
      WHERE dl.endpoint_id = ${endpointId}
    ) a`;
  const row = rows[0];
  if (!row) throw new Error("endpoint stats query returned no row");
  return {
    totalDeliveries: row.total,
    successfulDeliveries: row.successful,
    failedDeliveries: row.failed,
    pendingDeliveries: row.pending,
    successRate: successRate(row.successful, row.failed),
    avgLatencyMs: row.avg_latency_ms ?? 0,
    lastAttemptAt: row.last_attempt_at ?? undefined,
  };
}
