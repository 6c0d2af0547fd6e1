import type pg from "pg";

/** Runs SQL: the pool, or a client holding a transaction. */
export type Sql = Pick<pg.Pool, "query">;

/**
 * A statement sent by name, for the hot paths: PostgreSQL parses it once per
 * connection, and pg skips Prisma's per-query machinery (its client runtime
 * cost ingest and the dispatcher more CPU than their own code). Plans are
 * still made per run (see createDatabase). `name` must be unique in the
 * process: pg keeps prepared statements per connection by name.
 */
export function preparedStatement<Row extends object = Record<string, unknown>>(name: string, text: string) {
  return async (db: Sql, values: readonly unknown[]): Promise<Row[]> => {
    const result = await db.query<Row>({ name, text, values: [...values] });
    return result.rows;
  };
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
