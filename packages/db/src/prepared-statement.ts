import type pg from "pg";

/** Runs SQL: the pool, or a client holding a transaction. */
export type Sql = Pick<pg.Pool, "query">;

/** How PostgreSQL plans a statement sent by name. */
export interface PlanOptions {
  /**
   * `custom` (the default): planned for each run's parameters, so the plan
   * fits the tables as they are now. `generic`: planned once per connection
   * and kept, for statements whose every table scan is a key lookup driven by
   * their array parameters, so no parameter value or table size could make
   * another plan better. Planning costs the claim three times its execution;
   * a group commit's small batches under moderate load pay it on nearly
   * every delivery. A generic statement runs on the generic-plan connections
   * of the pool given (see createDatabase), and on the client given inside a
   * transaction. test/database/generic-plans.test.ts holds each one to
   * key lookups. @defaultValue "custom"
   */
  plan?: "custom" | "generic";
}

/** A statement that runs with a generic plan, as the test of their plans reads them. */
export interface GenericPlanStatement {
  name: string;
  text: string;
}

const genericPlanStatements: GenericPlanStatement[] = [];
/** The generic-plan connections of each pool that has them. */
const genericPlanPools = new WeakMap<Sql, Sql>();

/**
 * A statement sent by name, for the hot paths: PostgreSQL parses it once per
 * connection, and pg skips Prisma's per-query machinery (its client runtime
 * cost ingest and the dispatcher more CPU than their own code). `name` must
 * be unique in the process: pg keeps prepared statements per connection by
 * name.
 */
export function preparedStatement<Row extends object = Record<string, unknown>>(
  name: string,
  text: string,
  options: PlanOptions = {},
) {
  const generic = options.plan === "generic";
  if (generic) genericPlanStatements.push({ name, text });
  return async (db: Sql, values: readonly unknown[]): Promise<Row[]> => {
    const target = generic ? (genericPlanPools.get(db) ?? db) : db;
    const result = await target.query<Row>({ name, text, values: [...values] });
    return result.rows;
  };
}

/** Sends the generic-plan statements given `pool` to `connections` instead. */
export function useGenericPlanConnections(pool: Sql, connections: Sql): void {
  genericPlanPools.set(pool, connections);
}

/** The statements declared so far with `plan: "generic"`. */
export function listGenericPlanStatements(): readonly GenericPlanStatement[] {
  return genericPlanStatements;
}

/** Runs `work` in a transaction on one of the pool's connections. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A connection whose ROLLBACK failed is in an unknown state: it is closed, not reused.
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
