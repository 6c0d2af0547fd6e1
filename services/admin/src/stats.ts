import { Prisma, type PrismaClient } from "@piperelay/db";
import { successRate } from "./success-rate.js";

/** Dashboard figures for one application or all of them. */
export interface Stats {
  /** Messages accepted since midnight UTC. */
  messagesToday: number;
  /** Messages accepted in the 7 days before `generatedAt`. */
  messagesThisWeek: number;
  /** Messages accepted in the 30 days before `generatedAt`. */
  messagesThisMonth: number;
  deliveriesSucceeded: number;
  /** Deliveries that exhausted their retries: the dead letter queue. */
  deliveriesFailed: number;
  /** Pending and retrying deliveries. */
  deliveriesPending: number;
  /** Succeeded over finished deliveries, 0 to 1; 0 when none finished. */
  successRate: number;
  /** Mean attempt latency over the 24 hours before `generatedAt`; 0 without attempts. */
  avgLatencyMs: number;
  /** 95th percentile (interpolated) attempt latency over the same 24 hours; 0 without attempts. */
  p95LatencyMs: number;
  /** Enabled endpoints. */
  activeEndpoints: number;
  generatedAt: Date;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Computes the stats in one query. `applicationId` undefined means every
 * application (the admin's view). Delivery counts cover all time; `now` is
 * injectable so the windows are testable.
 */
export async function computeStats(
  prisma: PrismaClient,
  applicationId: string | undefined,
  now: Date = new Date(),
): Promise<Stats> {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const weekAgo = new Date(now.getTime() - 7 * dayMs);
  const monthAgo = new Date(now.getTime() - 30 * dayMs);
  const dayAgo = new Date(now.getTime() - dayMs);
  const scope = (column: Prisma.Sql) =>
    applicationId === undefined ? Prisma.empty : Prisma.sql`AND ${column} = ${applicationId}`;

  const rows = await prisma.$queryRaw<
    {
      messages_today: number;
      messages_week: number;
      messages_month: number;
      succeeded: number;
      failed: number;
      pending: number;
      avg_latency_ms: number | null;
      p95_latency_ms: number | null;
      active_endpoints: number;
    }[]
  >`
    SELECT m.*, d.*, a.*, e.*
    FROM (
      SELECT (count(*) FILTER (WHERE "timestamp" >= ${midnight}))::int AS messages_today,
             (count(*) FILTER (WHERE "timestamp" >= ${weekAgo}))::int AS messages_week,
             count(*)::int AS messages_month
      FROM messages WHERE "timestamp" >= ${monthAgo} ${scope(Prisma.sql`application_id`)}
    ) m,
    (
      SELECT (count(*) FILTER (WHERE status = 'success'))::int AS succeeded,
             (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
             (count(*) FILTER (WHERE status IN ('pending', 'retrying')))::int AS pending
      FROM deliveries WHERE TRUE ${scope(Prisma.sql`application_id`)}
    ) d,
    (
      SELECT avg(att.latency_ms)::float8 AS avg_latency_ms,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY att.latency_ms) AS p95_latency_ms
      FROM attempts att JOIN deliveries dl ON dl.id = att.delivery_id
      WHERE att.created_at >= ${dayAgo} ${scope(Prisma.sql`dl.application_id`)}
    ) a,
    (
      SELECT count(*)::int AS active_endpoints
      FROM endpoints WHERE is_active ${scope(Prisma.sql`application_id`)}
    ) e`;
  const row = rows[0];
  if (!row) throw new Error("stats query returned no row");
  return {
    messagesToday: row.messages_today,
    messagesThisWeek: row.messages_week,
    messagesThisMonth: row.messages_month,
    deliveriesSucceeded: row.succeeded,
    deliveriesFailed: row.failed,
    deliveriesPending: row.pending,
    successRate: successRate(row.succeeded, row.failed),
    avgLatencyMs: row.avg_latency_ms ?? 0,
    p95LatencyMs: row.p95_latency_ms ?? 0,
    activeEndpoints: row.active_endpoints,
    generatedAt: now,
  };
}
