import type pg from "pg";

/** The `n` that `sql` (a `SELECT count(*) AS n …`) returns, run with `params`. */
export async function countRows(
  db: Pick<pg.Client, "query">,
  sql: string,
  params: unknown[],
): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
