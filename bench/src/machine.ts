// What the numbers were measured on: hardware, versions, and the code.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { repoRoot, serverUrls } from "./infra.js";

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  natsServer: string;
  libraries: Record<string, string>;
  commit: string;
  /** Files changed in the working tree (uncommitted work of others included). */
  uncommitted: string[];
  loadAverageAtStart: number[];
}

function libraryVersion(name: string): string {
  try {
    const json = readFileSync(resolve(repoRoot, "node_modules", name, "package.json"), "utf8");
    return (JSON.parse(json) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function git(args: string[]): string {
  try {
    // --no-optional-locks: read-only, never touches the index of a tree others are working in.
    return execFileSync("git", ["--no-optional-locks", ...args], { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

export async function machineInfo(nats: NatsConnection): Promise<MachineInfo> {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  const client = new pg.Client({ connectionString: serverUrls().postgres });
  await client.connect();
  let postgres = "unknown";
  const postgresSettings: Record<string, string> = {};
  try {
    postgres = (await client.query<{ v: string }>("SELECT version() AS v")).rows[0]?.v ?? postgres;
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN
       ('max_connections', 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay')`,
    );
    for (const row of rows)
      postgresSettings[row.name] = row.unit ? `${row.setting} × ${row.unit}` : row.setting;
  } finally {
    await client.end();
  }
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: model,
    node: process.version,
    postgres: postgres.split(" on ")[0] ?? postgres,
    postgresSettings,
    natsServer: nats.info?.version ?? "unknown",
    libraries: Object.fromEntries(
      [
        "@nats-io/jetstream",
        "@nats-io/transport-node",
        "@connectrpc/connect-node",
        "@prisma/client",
        "@prisma/adapter-pg",
        "pg",
        "undici",
      ].map((name) => [name, libraryVersion(name)]),
    ),
    commit: git(["rev-parse", "--short", "HEAD"]),
    uncommitted: git(["status", "--porcelain"])
      .split("\n")
      .filter((line) => line !== "" && !line.includes("bench/")),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
