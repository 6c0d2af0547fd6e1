import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { hasIdPrefix } from "@piperelay/core";
import { Prisma, type PrismaClient } from "@piperelay/db";
import { GetStatsSeriesResponseSchema, type HealthService, StatsBucketSchema } from "@piperelay/proto";
import { applicationScope, fail } from "@piperelay/rpc";

/** Bucket width when the request leaves it at 0. */
export const defaultBucketSeconds = 3600;

/** The most buckets one series has. */
export const maxBuckets = 1000;

/** One bucket of {@link computeStatsSeries}. */
export interface SeriesBucket {
  start: Date;
  messages: number;
  attemptsSucceeded: number;
  attemptsFailed: number;
  deliveriesSucceeded: number;
  deliveriesFailed: number;
  avgLatencyMs: number;
  p95LatencyMs: number;
}

/** What to count: whose data, from when, in which buckets. */
export interface SeriesQuery {
  /** One application, or undefined for all of them (the admin's view). */
  applicationId: string | undefined;
  /** Only deliveries to this endpoint, and the messages that have one. */
  endpointId: string | undefined;
  /** Start of the first bucket; must be on a bucket boundary. */
  since: Date;
  bucketSeconds: number;
  now: Date;
}

/**
 * Counts messages, attempts (succeeded or failed, with latency) and finished
 * deliveries per time bucket; buckets without data are included, so a chart
 * shows gaps as zeros. Buckets start at multiples of the width since the epoch.
 */
export async function computeStatsSeries(prisma: PrismaClient, query: SeriesQuery): Promise<SeriesBucket[]> {
  const { since, bucketSeconds: width } = query;
  const key = (column: Prisma.Sql) => Prisma.sql`floor(extract(epoch FROM ${column}) / ${width})::float8`;
  const scope = (column: Prisma.Sql) =>
    query.applicationId === undefined ? Prisma.empty : Prisma.sql`AND ${column} = ${query.applicationId}`;
  const endpoint = (column: Prisma.Sql) =>
    query.endpointId === undefined ? Prisma.empty : Prisma.sql`AND ${column} = ${query.endpointId}`;
  const onlyEndpointMessages =
    query.endpointId === undefined
      ? Prisma.empty
      : Prisma.sql`AND id IN (SELECT message_id FROM deliveries WHERE endpoint_id = ${query.endpointId})`;

  const [messages, attempts, deliveries] = await Promise.all([
    prisma.$queryRaw<{ k: number; messages: number }[]>`
      SELECT ${key(Prisma.sql`"timestamp"`)} AS k, count(*)::int AS messages
      FROM messages
      WHERE "timestamp" >= ${since} ${scope(Prisma.sql`application_id`)} ${onlyEndpointMessages}
      GROUP BY 1`,
    prisma.$queryRaw<
      { k: number; succeeded: number; failed: number; avg: number | null; p95: number | null }[]
    >`
      SELECT ${key(Prisma.sql`att.created_at`)} AS k,
             (count(*) FILTER (WHERE att.error = ''))::int AS succeeded,
             (count(*) FILTER (WHERE att.error <> ''))::int AS failed,
             avg(att.latency_ms)::float8 AS avg,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY att.latency_ms) AS p95
      FROM attempts att JOIN deliveries d ON d.id = att.delivery_id
      WHERE att.created_at >= ${since} ${scope(Prisma.sql`d.application_id`)} ${endpoint(Prisma.sql`d.endpoint_id`)}
      GROUP BY 1`,
    prisma.$queryRaw<{ k: number; succeeded: number; failed: number }[]>`
      SELECT ${key(Prisma.sql`completed_at`)} AS k,
             (count(*) FILTER (WHERE status = 'success'))::int AS succeeded,
             (count(*) FILTER (WHERE status = 'failed'))::int AS failed
      FROM deliveries
      WHERE completed_at >= ${since} ${scope(Prisma.sql`application_id`)} ${endpoint(Prisma.sql`endpoint_id`)}
      GROUP BY 1`,
  ]);

  const widthMs = width * 1000;
  const first = Math.floor(since.getTime() / widthMs);
  const last = Math.floor(query.now.getTime() / widthMs);
  const buckets: SeriesBucket[] = [];
  for (let k = first; k <= last; k++) {
    buckets.push({
      start: new Date(k * widthMs),
      messages: 0,
      attemptsSucceeded: 0,
      attemptsFailed: 0,
      deliveriesSucceeded: 0,
      deliveriesFailed: 0,
      avgLatencyMs: 0,
      p95LatencyMs: 0,
    });
  }
  const at = (k: number) => buckets[k - first];
  for (const row of messages) {
    const bucket = at(row.k);
    if (bucket) bucket.messages = row.messages;
  }
  for (const row of attempts) {
    const bucket = at(row.k);
    if (!bucket) continue;
    bucket.attemptsSucceeded = row.succeeded;
    bucket.attemptsFailed = row.failed;
    bucket.avgLatencyMs = row.avg ?? 0;
    bucket.p95LatencyMs = row.p95 ?? 0;
  }
  for (const row of deliveries) {
    const bucket = at(row.k);
    if (!bucket) continue;
    bucket.deliveriesSucceeded = row.succeeded;
    bucket.deliveriesFailed = row.failed;
  }
  return buckets;
}

/**
 * HealthService.GetStatsSeries: the figures of GetStats over time, for the
 * dashboard's charts. The caller's application, or every application for the admin.
 */
export function createStatsSeriesService(deps: {
  prisma: PrismaClient;
  /** Injectable clock for tests. */
  now?: () => Date;
}): Pick<ServiceImpl<typeof HealthService>, "getStatsSeries"> {
  const now = deps.now ?? (() => new Date());
  return {
    async getStatsSeries(req, ctx) {
      const applicationId = applicationScope(ctx);
      const bucketSeconds = req.bucketSeconds === 0 ? defaultBucketSeconds : req.bucketSeconds;
      if (!Number.isInteger(bucketSeconds) || bucketSeconds < 1 || bucketSeconds > 86_400) {
        fail({ outcome: "invalid_argument", field: "bucket_seconds", reason: "must be between 1 and 86400" });
      }
      if (req.endpointId !== "" && !hasIdPrefix(req.endpointId, "ep")) {
        fail({ outcome: "invalid_argument", field: "endpoint_id", reason: "must be an endpoint id (ep_…)" });
      }
      const current = now();
      const widthMs = bucketSeconds * 1000;
      const requested = req.since ? timestampDate(req.since) : new Date(current.getTime() - 86_400_000);
      const since = new Date(Math.floor(requested.getTime() / widthMs) * widthMs);
      if (since.getTime() > current.getTime()) {
        fail({ outcome: "invalid_argument", field: "since", reason: "must not be in the future" });
      }
      if ((current.getTime() - since.getTime()) / widthMs >= maxBuckets) {
        fail({
          outcome: "invalid_argument",
          field: "since",
          reason: `gives more than ${maxBuckets} buckets; use a later since or wider buckets`,
        });
      }
      const buckets = await computeStatsSeries(deps.prisma, {
        applicationId,
        endpointId: req.endpointId === "" ? undefined : req.endpointId,
        since,
        bucketSeconds,
        now: current,
      });
      return create(GetStatsSeriesResponseSchema, {
        bucketSeconds,
        buckets: buckets.map((bucket) =>
          create(StatsBucketSchema, { ...bucket, start: timestampFromDate(bucket.start) }),
        ),
      });
    },
  };
}
