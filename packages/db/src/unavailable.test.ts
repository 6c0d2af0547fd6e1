import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createDatabase, type Database } from "./client.js";
import { isDatabaseUnavailable } from "./unavailable.js";

let unreachable: Database;
let reachable: SeededDatabase;

beforeAll(async () => {
  // A port nothing listens on.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  unreachable = createDatabase(`postgres://postgres@127.0.0.1:${port}/none`, {
    maxConnections: 1,
    connectTimeoutMs: 1000,
  });
  reachable = await createSeededDatabase();
});
afterAll(async () => {
  await unreachable?.close();
  await reachable?.dispose();
});

describe("isDatabaseUnavailable", () => {
  it("recognises an unreachable database in model queries and in raw statements", async () => {
    const errors = await Promise.all([
      unreachable.prisma.application.findMany().catch((e: unknown) => e),
      unreachable.prisma.$queryRaw`SELECT 1`.catch((e: unknown) => e),
      unreachable.prisma.$executeRaw`SELECT 1`.catch((e: unknown) => e),
    ]);
    for (const error of errors) expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("does not mistake a failed statement for an outage", async () => {
    const error = await reachable.prisma.$executeRaw`INSERT INTO applications (id) VALUES ('app_1')`.catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
