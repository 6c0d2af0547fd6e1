// The benchmark's own database and NATS names, created per scenario and removed afterwards.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { migrateUp, readMigrations } from "@piperelay/db";
import { queueNames } from "@piperelay/queue";
import pg from "pg";

export const repoRoot = resolve(import.meta.dirname, "../..");

/** PostgreSQL server (BENCH_DATABASE_URL, else the local trust-auth server) and NATS (BENCH_NATS_URL). */
export function serverUrls(): { postgres: string; nats: string } {
  return {
    postgres: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    nats: process.env.BENCH_NATS_URL ?? "nats://127.0.0.1:4222",
  };
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrls().postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database and NATS prefix of one scenario: `piperelay_bench_<hex>` and `bench<hex>`. */
export interface BenchNamespace {
  database: string;
  databaseUrl: string;
  prefix: string;
  drop(): Promise<void>;
}

/** Creates a fresh database (migrated from packages/db/migrations) and picks a NATS prefix of its own. */
export async function createNamespace(nats: NatsConnection): Promise<BenchNamespace> {
  const id = randomBytes(5).toString("hex");
  const database = `piperelay_bench_${id}`;
  const prefix = `bench${id}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = databaseUrl(database);
  await migrateUp(url, readMigrations(resolve(repoRoot, "packages/db/migrations")));
  return {
    database,
    databaseUrl: url,
    prefix,
    async drop() {
      await deleteStreams(nats, prefix.toUpperCase());
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** Deletes every stream whose name starts with `namePrefix` (the service names its stream `<PREFIX>_DELIVERIES`). */
export async function deleteStreams(nats: NatsConnection, namePrefix: string): Promise<void> {
  const jsm = await jetstreamManager(nats);
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(namePrefix)) await jsm.streams.delete(name).catch(() => false);
  }
}

/** Removes what an interrupted earlier run left behind: `piperelay_bench_*` databases and `BENCH*` streams. */
export async function removeLeftovers(nats: NatsConnection): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  const removed: string[] = [];
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'piperelay\\_bench\\_%'",
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      removed.push(datname);
    }
  } finally {
    await client.end();
  }
  const jsm = await jetstreamManager(nats);
  for await (const name of jsm.streams.names()) {
    if (/^BENCH[0-9A-F]{10}/.test(name)) {
      await jsm.streams.delete(name).catch(() => false);
      removed.push(name);
    }
  }
  return removed;
}

export function connectNats(name: string): Promise<NatsConnection> {
  return connect({ servers: serverUrls().nats, name });
}

// The benchmark and the tests need free ports alike; it is bundled, so it can share theirs.
export { freePort } from "../../test/support/free-port.js";

/** Number of connections the PostgreSQL server has open, and its limit. */
export async function postgresConnections(): Promise<{ open: number; max: number }> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<{ open: number; max: number }>(
      "SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS open, current_setting('max_connections')::int AS max",
    );
    return rows[0] ?? { open: 0, max: 0 };
  } finally {
    await client.end();
  }
}

/**
 * Jobs the dispatchers' consumer has handed out so far, redeliveries included
 * (`delivered.consumer_seq`); undefined when the scenario has no consumer yet.
 */
export async function jobsHandedOut(nats: NatsConnection, prefix: string): Promise<number | undefined> {
  const jsm = await jetstreamManager(nats);
  const { stream, consumer } = queueNames(prefix);
  const info = await jsm.consumers.info(stream, consumer).catch(() => undefined);
  return info?.delivered.consumer_seq;
}

/** Cumulative transaction and row counters of one database (pg_stat_database; flushed by backends about once a second). */
export async function databaseCounters(database: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched
       FROM pg_stat_database WHERE datname = $1`,
      [database],
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}
