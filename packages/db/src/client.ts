import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./gen/prisma/client.js";
import { useGenericPlanConnections } from "./prepared-statement.js";

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
  /**
   * Connections in all: a third of them (at least one, when there are two or
   * more) serve the statements with generic plans, the rest everything else.
   * @defaultValue 10
   */
  maxConnections?: number;
  /** Fail a connection attempt after this long, so callers can answer 503 quickly. @defaultValue 5000 */
  connectTimeoutMs?: number;
}

const customPlanSettings = "-c plan_cache_mode=force_custom_plan";

/**
 * For the statements declared `plan: "generic"`: their plan is made once per
 * connection (and again when autovacuum's statistics change), and with
 * sequential and bitmap scans off it looks rows up by key even when made while
 * the tables are empty or small (PostgreSQL would otherwise keep scanning a
 * table that was empty when the plan was made, whatever its size since).
 */
export const genericPlanSettings =
  "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c enable_bitmapscan=off";

/** A Prisma client over a pg pool (driver adapter: no Prisma engine binaries needed). */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const max = options.maxConnections ?? 10;
  const genericPlanConnections = max >= 2 ? Math.ceil(max / 3) : 0;
  const connectionTimeoutMillis = options.connectTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: url,
    max: max - genericPlanConnections,
    connectionTimeoutMillis,
    // Named statements (preparedStatement) save parsing either way, but a plan cached while a
    // table was nearly empty (a new install's first minutes) kept scanning it whole long after
    // it had grown: every run of the message-status refresh read all of `deliveries`. Planned
    // per run, a statement fits the table's size now; group commit shares the cost across the batch.
    options: customPlanSettings,
  });
  const pools = [pool];
  if (genericPlanConnections > 0) {
    const generic = new pg.Pool({
      connectionString: url,
      max: genericPlanConnections,
      connectionTimeoutMillis,
      options: genericPlanSettings,
    });
    useGenericPlanConnections(pool, generic);
    pools.push(generic);
  }
  // An idle client losing its connection (e.g. PostgreSQL restarting) must not crash the process.
  for (const p of pools) p.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
    },
  };
}
