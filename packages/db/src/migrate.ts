import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * Where the SQL files live: PIPERELAY_MIGRATIONS_DIR, else `migrations/`
 * beside the bundle (dist/), else the package's own folder (source checkout).
 */
export const defaultMigrationsDir =
  process.env.PIPERELAY_MIGRATIONS_DIR ??
  [new URL("./migrations/", import.meta.url), new URL("../migrations/", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((dir) => existsSync(join(dir, "0001_initial.up.sql"))) ??
  fileURLToPath(new URL("../migrations/", import.meta.url));

export interface Migration {
  version: string;
  name: string;
  up: string;
  down: string;
}

export interface MigrationStatus {
  version: string;
  name: string;
  appliedAt: Date | undefined;
}

/** Reads `NNNN_name.up.sql` / `NNNN_name.down.sql` pairs in version order. */
export function readMigrations(dir: string = defaultMigrationsDir): Migration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith(".up.sql"));
  return files.sort().map((file) => {
    const base = file.slice(0, -".up.sql".length);
    const [version = base, ...rest] = base.split("_");
    return {
      version,
      name: rest.join("_"),
      up: readFileSync(join(dir, file), "utf8"),
      down: readFileSync(join(dir, `${base}.down.sql`), "utf8"),
    };
  });
}

// One lock id for every PipeRelay process, so concurrent `migrate up` runs (e.g. replicas starting) serialize.
const lockId = 4_207_311;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [lockId]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS piperelay_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    return await fn(client);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [lockId]).catch(() => {});
    await client.end();
  }
}

async function appliedVersions(client: pg.Client): Promise<Map<string, Date>> {
  const { rows } = await client.query<{ version: string; applied_at: Date }>(
    "SELECT version, applied_at FROM piperelay_migrations",
  );
  return new Map(rows.map((row) => [row.version, row.applied_at]));
}

/** Applies every pending migration, each in its own transaction. Returns the versions applied. */
export async function migrateUp(url: string, migrations = readMigrations()): Promise<string[]> {
  return withClient(url, async (client) => {
    const applied = await appliedVersions(client);
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.up);
        await client.query("INSERT INTO piperelay_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(
          `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      done.push(migration.version);
    }
    return done;
  });
}

/** Reverts the most recent `steps` applied migrations. Returns the versions reverted. */
export async function migrateDown(url: string, steps = 1, migrations = readMigrations()): Promise<string[]> {
  return withClient(url, async (client) => {
    const applied = await appliedVersions(client);
    const targets = migrations
      .filter((m) => applied.has(m.version))
      .reverse()
      .slice(0, steps);
    for (const migration of targets) {
      await client.query("BEGIN");
      try {
        await client.query(migration.down);
        await client.query("DELETE FROM piperelay_migrations WHERE version = $1", [migration.version]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    return targets.map((m) => m.version);
  });
}

/** Every known migration and when it was applied, if it was. */
export async function migrationStatus(
  url: string,
  migrations = readMigrations(),
): Promise<MigrationStatus[]> {
  return withClient(url, async (client) => {
    const applied = await appliedVersions(client);
    return migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) }));
  });
}
