import type pg from "pg";

/** A node of a plan from `EXPLAIN (FORMAT JSON)`; the row counts only with ANALYZE. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** The plan of `sql` (an EXPLAIN of it, with `options` such as "ANALYZE, "), run with `values`. */
export async function explain(
  db: Pick<pg.Pool, "query">,
  sql: string,
  values: unknown[] = [],
  options = "",
): Promise<PlanNode> {
  const { rows } = await db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    `EXPLAIN (${options}FORMAT JSON) ${sql}`,
    values,
  );
  return (rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan;
}
