import type { PrismaClient } from "@piperelay/db";

export type RateDecision = { allowed: true } | { allowed: false; retryInMs: number };

// A little over a second, so that arrival jitter at the receiver cannot put N + 1
// sends into one second.
const windowMs = 1100;

/**
 * Takes one send slot for an endpoint limited to `limit` deliveries per second,
 * or says how long until one frees up. The window is a log of recent sends in
 * PostgreSQL under a per-endpoint advisory lock, so the limit holds across any
 * number of dispatcher processes, with no burst above it in any window.
 */
export async function takeRateSlot(
  prisma: PrismaClient,
  endpointId: string,
  limit: number,
): Promise<RateDecision> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rate:${endpointId}`}))`;
    const [window] = await tx.$queryRaw<{ taken: number; wait_ms: number | null }[]>`
      SELECT count(*)::int AS taken,
             ceil(extract(epoch FROM min(taken_at) + make_interval(secs => ${windowMs / 1000}::float8) - clock_timestamp()) * 1000)::int AS wait_ms
      FROM rate_slots
      WHERE endpoint_id = ${endpointId} AND taken_at > clock_timestamp() - make_interval(secs => ${windowMs / 1000}::float8)`;
    if (window && window.taken >= limit)
      return { allowed: false, retryInMs: Math.max(window.wait_ms ?? 0, 10) };
    // clock_timestamp(), not the column's default now(): that is when the transaction began,
    // possibly long before the advisory lock was granted, and would date the slot too early.
    await tx.$executeRaw`INSERT INTO rate_slots (endpoint_id, taken_at) VALUES (${endpointId}, clock_timestamp())`;
    await tx.$executeRaw`
      DELETE FROM rate_slots WHERE endpoint_id = ${endpointId} AND taken_at < clock_timestamp() - interval '10 seconds'`;
    return { allowed: true };
    // Prisma's defaults (2 s to get a connection, 5 s in all) are short when many jobs of one
    // endpoint queue on its lock on a loaded machine; a failure here only delays the job.
  }, transactionLimits);
}

const transactionLimits = { maxWait: 10_000, timeout: 15_000 };
