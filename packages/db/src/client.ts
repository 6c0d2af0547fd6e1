import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./gen/prisma/client.js";

export type { PrismaClient };
/** The pg pool under Prisma, for the statements sent by name (see preparedStatement). */
export type Pool = pg.Pool;

export interface Database {
  prisma: PrismaClient;
  /** The pool under Prisma; for the migration runner and health checks. */
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Connections in the pool. @defaultValue 10 */
  maxConnections?: number;
  /** Fail a connection attempt after this long, so callers can answer 503 quickly. @defaultValue 5000 */
  connectTimeoutMs?: number;
}

/** A Prisma client over a pg pool (driver adapter: no Prisma engine binaries needed). */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Named statements (preparedStatement) save parsing either way, but a plan cached while a
    // table was nearly empty (a new install's first minutes) kept scanning it whole long after
    // it had grown: every run of the message-status refresh read all of `deliveries`. Planned
    // per run, a statement fits the table's size now; group commit shares the cost across the batch.
    options: "-c plan_cache_mode=force_custom_plan",
  });
  // An idle client losing its connection (e.g. PostgreSQL restarting) must not crash the process.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}
