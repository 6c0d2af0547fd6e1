import type pg from "pg";
import { eventually, holds } from "./poll.js";

/** The `n` that `sql` (a `SELECT count(*) AS n …`) returns, run with `params`. */
export async function countRows(
  db: Pick<pg.Client, "query">,
  sql: string,
  params: unknown[],
): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Waits until the endpoint's circuit is recorded as open (its backlog parked in PostgreSQL). */
export async function untilCircuitRecordedOpen(
  db: Pick<pg.Client, "query">,
  endpointId: string,
  timeoutMs: number,
): Promise<void> {
  await eventually(
    async () =>
      holds(
        (await countRows(
          db,
          "SELECT count(*) AS n FROM endpoints WHERE id = $1 AND circuit_open_until IS NOT NULL",
          [endpointId],
        )) === 1,
      ),
    timeoutMs,
    `endpoint ${endpointId}'s circuit to be recorded as open`,
  );
}
