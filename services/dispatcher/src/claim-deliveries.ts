import {
  createGroupCommit,
  outstandingStatuses,
  type Pool,
  preparedStatement,
  readStoredRetryPolicy,
  type StoredRetryPolicy,
} from "@piperelay/db";

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
  /**
   * Finished, deleted, or not due yet with no job of its own on JetStream
   * (`enqueued_at` unset: the outbox relay publishes it when due): drop the job.
   */
  | { kind: "stale" }
  /**
   * Not due yet, but JetStream is meant to hold its job: this may be that job,
   * back early (a NAK lost with a crash or a dropped connection, redelivered
   * after the ack wait): bring it back when the delivery is due.
   */
  | { kind: "early"; retryInMs: number }
  /** Another dispatcher is attempting it right now: look again later. */
  | { kind: "busy"; retryInMs: number };

export interface ClaimSettings {
  /** The attempt's timeout when neither the endpoint nor the application sets one. */
  defaultTimeoutMs: number;
  /** How long the claim outlasts the attempt's timeout. */
  holdExtraMs: number;
}

interface ClaimedRow {
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
}

// A NAK-delayed job may come back a little before the stored due time.
const dueSlackSeconds = 2;

/**
 * Claims due deliveries for one attempt each, all in one statement; returns
 * one result per id, in their order. Each claim lapses `holdExtraMs` after
 * its attempt's timeout (the endpoint's, the application's or
 * `defaultTimeoutMs`), so a crashed dispatcher's delivery is picked up again.
 * JetStream redelivers the same job for every NAK-delayed retry, so whether a
 * job is current is decided by the stored state (status and due time), not by
 * anything in the job. An id given twice is claimed once: its other jobs are
 * told it is busy, as a job arriving a moment later would be.
 */
export async function claimDeliveries(
  pool: Pool,
  deliveryIds: readonly string[],
  settings: ClaimSettings,
): Promise<ClaimResult[]> {
  const ids = [...new Set(deliveryIds)];
  const rows = await claimStatement(pool, [
    ids,
    settings.defaultTimeoutMs,
    settings.holdExtraMs,
    dueSlackSeconds,
    outstandingStatuses,
  ]);
  const claimed = new Map(rows.map((row) => [row.id, row]));
  const unclaimed = ids.filter((id) => !claimed.has(id));
  const unclaimedResults =
    unclaimed.length > 0 ? await whyNotClaimed(pool, unclaimed) : new Map<string, ClaimResult>();
  const handedOut = new Set<string>();
  return deliveryIds.map((id): ClaimResult => {
    const row = claimed.get(id);
    if (row === undefined) return unclaimedResults.get(id) ?? { kind: "stale" };
    // Never two attempts of one delivery: a repeated id is busy behind the claim just
    // handed out, which lasts at least holdExtraMs.
    if (handedOut.has(id)) return busy(settings.holdExtraMs);
    handedOut.add(id);
    return { kind: "claimed", delivery: toDelivery(row) };
  });
}

/**
 * Claims a job's delivery. Claims asked for while a claim statement runs go
 * together in the next one: under load, one statement and one commit serve
 * many concurrent jobs, and an idle dispatcher adds no delay.
 */
export function createDeliveryClaimer(
  pool: Pool,
  settings: ClaimSettings,
): (deliveryId: string) => Promise<ClaimResult> {
  return createGroupCommit<string, ClaimResult>({
    // A failed batch (a deadlock with another writer, say) is tried again id by id.
    isolateFailures: true,
    run: (ids) => claimDeliveries(pool, ids, settings),
  });
}

/** Gives a claim back without an attempt (e.g. the endpoint's rate limit is reached), so the next job can take it. */
export async function releaseClaim(pool: Pool, deliveryId: string): Promise<void> {
  await releaseStatement(pool, [deliveryId]);
}

const releaseStatement = preparedStatement(
  "dispatcher.release-claim",
  "UPDATE deliveries SET locked_until = NULL WHERE id = $1",
);

/** For each id still outstanding, why it was not claimed; missing ids are stale. */
async function whyNotClaimed(pool: Pool, deliveryIds: readonly string[]): Promise<Map<string, ClaimResult>> {
  // Anything still outstanding and due counts as busy, even if its claim lapsed a moment
  // ago: dropping the job then would strand the delivery. Only finished, deleted or
  // not-yet-due deliveries without a job of their own make a job stale.
  const rows = await busyStatement(pool, [deliveryIds, dueSlackSeconds, outstandingStatuses]);
  return new Map(
    rows.map((row): [string, ClaimResult] => [
      row.id,
      row.due_in_ms === null ? busy(row.busy_ms) : { kind: "early", retryInMs: row.due_in_ms },
    ]),
  );
}

function busy(lockedForMs: number): ClaimResult {
  return { kind: "busy", retryInMs: Math.min(Math.max(lockedForMs, 200), 5000) };
}

function toDelivery(row: ClaimedRow): ClaimedDelivery {
  return {
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
}

// Rows are locked in id order, as the backlog parker and the enqueued marks lock them: two
// statements taking many of the same rows in different orders would deadlock.
const claimStatement = preparedStatement<ClaimedRow>(
  "dispatcher.claim-deliveries",
  `UPDATE deliveries AS d
   SET locked_until = now() + make_interval(secs => (COALESCE(
         (e.retry_policy->>'timeout_ms')::float8, (a.retry_policy->>'timeout_ms')::float8, $2::float8
       ) + $3::float8) / 1000)
   FROM (
     SELECT c.id FROM unnest($1::text[]) AS j(id)
     JOIN deliveries AS c ON c.id = j.id
     WHERE array_position($5::text[], c.status) IS NOT NULL
       AND (c.next_retry_at IS NULL OR c.next_retry_at <= now() + make_interval(secs => $4::int))
       AND (c.locked_until IS NULL OR c.locked_until < now())
     ORDER BY c.id
     FOR NO KEY UPDATE OF c
   ) AS claimable, endpoints AS e, messages AS m, applications AS a
   WHERE d.id = claimable.id
     AND e.id = d.endpoint_id AND m.id = d.message_id AND a.id = d.application_id
   RETURNING d.id, d.message_id, d.endpoint_id, d.application_id, d.attempt_count, d.round_attempts,
             e.url, e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret,
             e.is_active, e.rate_limit, e.failing_since, e.circuit_open_until IS NOT NULL AS circuit_open,
             m.payload, m.endpoints_targeted,
             a.retry_policy AS application_retry_policy, e.retry_policy AS endpoint_retry_policy`,
  { plan: "generic" },
);

const busyStatement = preparedStatement<{ id: string; busy_ms: number; due_in_ms: number | null }>(
  "dispatcher.claims-busy",
  `SELECT d.id, GREATEST(COALESCE((extract(epoch FROM d.locked_until - now()) * 1000)::int, 0), 0) AS busy_ms,
          CASE WHEN d.next_retry_at > now() + make_interval(secs => $2::int)
            THEN ceil(extract(epoch FROM d.next_retry_at - now()) * 1000)::int END AS due_in_ms
   FROM unnest($1::text[]) AS j(id)
   JOIN deliveries AS d ON d.id = j.id
   WHERE array_position($3::text[], d.status) IS NOT NULL
     AND (d.next_retry_at IS NULL OR d.next_retry_at <= now() + make_interval(secs => $2::int)
          OR d.enqueued_at IS NOT NULL)`,
  { plan: "generic" },
);
