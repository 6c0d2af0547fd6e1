import { outstandingStatuses, type PrismaClient } from "@piperelay/db";

/** Deliveries a recovered endpoint's backlog is released at, per second, oldest first. */
export const releasePerSecond = 200;

// Rows per statement: each statement's rows are written and committed together, and a
// commit of tens of thousands of rows made every other commit wait for it (the healthy
// endpoint's p99 went to 1.9 s while a 90,000-delivery backlog was rescheduled in one go).
const releaseChunk = 2000;

export interface ReleaseOptions {
  /** Deliveries per second. @defaultValue releasePerSecond */
  perSecond?: number;
  /** Deliveries per statement. @defaultValue 2000 */
  chunkSize?: number;
  /** The clock each statement's slots are timed from (for tests). */
  now?: () => Date;
}

/**
 * Brings a recovered endpoint's parked backlog back, spread out: its
 * deliveries waiting in PostgreSQL become due `perSecond` a second from now,
 * oldest first, whatever their due time was. Released at once, the backlog would go
 * onto JetStream in one go, in front of every other endpoint's jobs, to wait
 * at this endpoint's concurrency cap. Keeping an earlier due time would do
 * just that: the first success is usually the probe the outbox relay sends
 * when the park ends, the moment every parked delivery comes due.
 *
 * The chunks go newest first, each timed from when its statement starts: the oldest
 * deliveries, due soonest, get their times last, so none is overdue when the
 * release ends (timed from the first statement, the slots that passed while a
 * 100,000-delivery backlog was rescheduled, ~600, went at once). Where two
 * chunks meet, their slots overlap by one statement's time.
 *
 * Call it before clearing the endpoint's circuit (`endPark`): until then the
 * outbox relay republishes none of the endpoint's deliveries, so it cannot take
 * the backlog before it is spread. Returns how many deliveries it rescheduled.
 */
export async function releaseParkedBacklog(
  prisma: PrismaClient,
  endpointId: string,
  options: ReleaseOptions = {},
): Promise<number> {
  const perSecond = options.perSecond ?? releasePerSecond;
  const chunkSize = options.chunkSize ?? releaseChunk;
  const now = options.now ?? (() => new Date());
  const [counted] = await prisma.$queryRaw<{ waiting: number }[]>`
    SELECT count(*)::int AS waiting FROM deliveries
    WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL`;
  // Slots are numbered from the oldest: a chunk's deliveries take the highest numbers not yet given.
  let unslotted = counted?.waiting ?? 0;
  let released = 0;
  let before: string | null = null;
  while (unslotted > 0) {
    const [chunk]: { found: number; changed: number; first: string | null }[] = await prisma.$queryRaw`
      WITH newest AS (
        SELECT id FROM deliveries
        WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying') AND enqueued_at IS NULL
          AND (${before}::text IS NULL OR id < ${before}::text)
        ORDER BY id DESC LIMIT ${chunkSize}
      ), chunk AS (
        -- Locked in id order, as every statement taking many delivery rows locks them, and
        -- looked up by primary key: with status IN (...) here the planner could prove the
        -- outbox index's predicate and walked all of it, testing each entry against 2,000 ids.
        SELECT d.id FROM deliveries AS d
        WHERE d.id = ANY(ARRAY(SELECT id FROM newest))
          AND array_position(${outstandingStatuses}::text[], d.status) IS NOT NULL AND d.enqueued_at IS NULL
        ORDER BY d.id
        FOR UPDATE OF d
      ), slotted AS (
        SELECT id, GREATEST(${unslotted}::int - (SELECT count(*) FROM newest) + row_number() OVER (ORDER BY id), 1) AS n
        FROM chunk
      ), updated AS (
        UPDATE deliveries AS d
        SET next_retry_at = ${now()}::timestamptz + make_interval(secs => slotted.n / ${perSecond}::float8)
        FROM slotted WHERE d.id = slotted.id
        RETURNING d.id
      )
      SELECT (SELECT count(*) FROM newest)::int AS found, (SELECT count(*) FROM updated)::int AS changed,
             (SELECT min(id) FROM newest) AS first`;
    released += chunk?.changed ?? 0;
    unslotted -= chunk?.found ?? 0;
    if (!chunk?.first || chunk.found < chunkSize) break;
    before = chunk.first;
  }
  return released;
}

/**
 * Ends an endpoint's run of failures after a success: if its backlog was
 * parked (`circuit_open_until`), releases it, then clears the circuit and
 * `failing_since` — unless another process parked the backlog again while it
 * was being released (the endpoint failed there meanwhile): that newer park
 * stands, and the next success ends it. Returns how many deliveries were
 * released, or undefined when the backlog was not parked. Two processes
 * ending the same park at once both reschedule what is still waiting (the
 * later one from its own moment), which costs writes but loses nothing.
 * `release` is the backlog's release (replaced in tests).
 */
export async function endPark(
  prisma: PrismaClient,
  endpointId: string,
  release: (prisma: PrismaClient, endpointId: string) => Promise<number> = releaseParkedBacklog,
): Promise<number | undefined> {
  const [row] = await prisma.$queryRaw<{ open_until: Date | null }[]>`
    SELECT circuit_open_until AS open_until FROM endpoints WHERE id = ${endpointId}`;
  const seen = row?.open_until ?? null;
  const released = seen !== null ? await release(prisma, endpointId) : undefined;
  // Compared as written (millisecond precision, like the column): a park that ran since
  // wrote a later end, and a park starting from none wrote one where there was none.
  await prisma.$executeRaw`
    UPDATE endpoints SET failing_since = NULL, circuit_open_until = NULL
    WHERE id = ${endpointId} AND (failing_since IS NOT NULL OR circuit_open_until IS NOT NULL)
      AND circuit_open_until IS NOT DISTINCT FROM ${seen}::timestamptz`;
  return released;
}
