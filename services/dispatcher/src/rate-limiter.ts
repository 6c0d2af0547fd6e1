import { type Pool, preparedStatement } from "@piperelay/db";

export type RateDecision = { allowed: true } | { allowed: false; retryInMs: number };

// A little over a second, so that arrival jitter at the receiver cannot put N + 1
// sends into one second.
const windowMs = 1100;

// The log, its lock and its clean-up are in PostgreSQL (migration 0015): one round trip.
const takeSlotStatement = preparedStatement<{ wait_ms: number | null }>(
  "dispatcher.take-rate-slot",
  "SELECT take_rate_slot($1, $2, $3) AS wait_ms",
);

/**
 * Takes one send slot for an endpoint limited to `limit` deliveries per second,
 * or says how long until one frees up. The window is a log of recent sends in
 * PostgreSQL under a per-endpoint advisory lock, so the limit holds across any
 * number of dispatcher processes, with no burst above it in any window.
 */
export async function takeRateSlot(pool: Pool, endpointId: string, limit: number): Promise<RateDecision> {
  const [row] = await takeSlotStatement(pool, [endpointId, limit, windowMs]);
  const waitMs = row?.wait_ms ?? null;
  return waitMs === null ? { allowed: true } : { allowed: false, retryInMs: waitMs };
}
