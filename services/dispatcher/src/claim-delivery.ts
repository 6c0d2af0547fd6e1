import { type PrismaClient, readStoredRetryPolicy, type StoredRetryPolicy } from "@piperelay/db";

/** Everything one attempt needs, read in the same statement that claims the delivery. */
export interface ClaimedDelivery {
  id: string;
  messageId: string;
  endpointId: string;
  applicationId: string;
  attemptCount: number;
  roundAttempts: number;
  url: string;
  secret: string;
  /** The secret before the last rotation, while it still signs too. */
  previousSecret: string | null;
  isActive: boolean;
  /** Deliveries per second the endpoint accepts; null for no limit. */
  rateLimit: number | null;
  /** Start of the endpoint's current run of failures, if it is in one. */
  failingSince: Date | null;
  /** Whether the endpoint's backlog is parked behind an open circuit (`circuit_open_until` set). */
  circuitOpen: boolean;
  payload: string;
  /** How many deliveries the message has. */
  endpointsTargeted: number;
  /** The application's and the endpoint's overrides of the retry settings. */
  applicationRetryPolicy: StoredRetryPolicy;
  endpointRetryPolicy: StoredRetryPolicy;
}

/** The claim's outcome: the delivery, or why there is nothing to do now. */
export type ClaimResult =
  | { kind: "claimed"; delivery: ClaimedDelivery }
  /** Finished, deleted, or not due yet (a duplicate job): drop the job. */
  | { kind: "stale" }
  /** Another dispatcher is attempting it right now: look again later. */
  | { kind: "busy"; retryInMs: number };

// A NAK-delayed job may come back a little before the stored due time.
const dueSlackSeconds = 2;

/**
 * Claims a due delivery for one attempt. The claim lapses `holdExtraMs` after
 * the attempt's timeout (the endpoint's, the application's or
 * `defaultTimeoutMs`), so a crashed dispatcher's delivery is picked up again. JetStream redelivers the
 * same job for every NAK-delayed retry, so whether a job is current is decided
 * by the stored state (status and due time), not by anything in the job.
 */
export async function claimDelivery(
  prisma: PrismaClient,
  deliveryId: string,
  defaultTimeoutMs: number,
  holdExtraMs: number,
): Promise<ClaimResult> {
  const rows = await prisma.$queryRaw<
    {
      id: string;
      message_id: string;
      endpoint_id: string;
      application_id: string;
      attempt_count: number;
      round_attempts: number;
      url: string;
      secret: string;
      previous_secret: string | null;
      is_active: boolean;
      rate_limit: number | null;
      failing_since: Date | null;
      circuit_open: boolean;
      payload: string;
      endpoints_targeted: number;
      application_retry_policy: unknown;
      endpoint_retry_policy: unknown;
    }[]
  >`
    UPDATE deliveries AS d
    SET locked_until = now() + make_interval(secs => (COALESCE(
          (e.retry_policy->>'timeout_ms')::float8, (a.retry_policy->>'timeout_ms')::float8, ${defaultTimeoutMs}::float8
        ) + ${holdExtraMs}::float8) / 1000)
    FROM endpoints AS e, messages AS m, applications AS a
    WHERE d.id = ${deliveryId}
      AND d.status IN ('pending', 'retrying')
      AND (d.next_retry_at IS NULL OR d.next_retry_at <= now() + make_interval(secs => ${dueSlackSeconds}))
      AND (d.locked_until IS NULL OR d.locked_until < now())
      AND e.id = d.endpoint_id AND m.id = d.message_id AND a.id = d.application_id
    RETURNING d.id, d.message_id, d.endpoint_id, d.application_id, d.attempt_count, d.round_attempts,
              e.url, e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret, e.is_active, e.rate_limit, e.failing_since,
              e.circuit_open_until IS NOT NULL AS circuit_open, m.payload, m.endpoints_targeted,
              a.retry_policy AS application_retry_policy, e.retry_policy AS endpoint_retry_policy`;
  const row = rows[0];
  if (!row) return whyNotClaimed(prisma, deliveryId);
  const delivery: ClaimedDelivery = {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    applicationId: row.application_id,
    attemptCount: row.attempt_count,
    roundAttempts: row.round_attempts,
    url: row.url,
    secret: row.secret,
    previousSecret: row.previous_secret,
    isActive: row.is_active,
    rateLimit: row.rate_limit,
    failingSince: row.failing_since,
    circuitOpen: row.circuit_open,
    payload: row.payload,
    endpointsTargeted: row.endpoints_targeted,
    applicationRetryPolicy: readStoredRetryPolicy(row.application_retry_policy),
    endpointRetryPolicy: readStoredRetryPolicy(row.endpoint_retry_policy),
  };
  return { kind: "claimed", delivery };
}

async function whyNotClaimed(prisma: PrismaClient, deliveryId: string): Promise<ClaimResult> {
  // Anything still outstanding and due counts as busy, even if its claim lapsed a moment
  // ago: dropping the job then would strand the delivery. Only finished, deleted or
  // not-yet-due deliveries make a job stale.
  const rows = await prisma.$queryRaw<{ busy_ms: number }[]>`
    SELECT GREATEST(COALESCE((extract(epoch FROM locked_until - now()) * 1000)::int, 0), 0) AS busy_ms
    FROM deliveries
    WHERE id = ${deliveryId} AND status IN ('pending', 'retrying')
      AND (next_retry_at IS NULL OR next_retry_at <= now() + make_interval(secs => ${dueSlackSeconds}))`;
  const row = rows[0];
  return row ? { kind: "busy", retryInMs: Math.min(Math.max(row.busy_ms, 200), 5000) } : { kind: "stale" };
}

/** Gives a claim back without an attempt (e.g. the endpoint's rate limit is reached), so the next job can take it. */
export async function releaseClaim(prisma: PrismaClient, deliveryId: string): Promise<void> {
  await prisma.$executeRaw`UPDATE deliveries SET locked_until = NULL WHERE id = ${deliveryId}`;
}
