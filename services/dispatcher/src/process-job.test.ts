import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@piperelay/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createBacklogParker } from "./backlog-parker.js";
import { createEndpointGate } from "./endpoint-gate.js";
import { createJobProcessor } from "./process-job.js";

let db: SeededDatabase;
let receiver: Server;

beforeAll(async () => {
  receiver = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  db = await createSeededDatabase({ maxConnections: 6 });
  const { port } = receiver.address() as AddressInfo;
  await db.prisma.endpoint.update({
    where: { id: "ep_1" },
    data: { url: `http://127.0.0.1:${port}/hook`, secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=" },
  });
});
afterAll(async () => {
  await db?.dispose();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("job processor", () => {
  it("frees the endpoint's slot once the response is in, before the attempt's record commits", async () => {
    await db.addMessage("msg_slot", [{ id: "dlv_slot", enqueuedAt: new Date() }]);
    const gate = createEndpointGate({ maxConcurrent: 1 });
    const processJob = createJobProcessor({
      pool: db.pool,
      policy: { maxAttempts: 3, schedule: [1000] },
      timeoutMs: 5000,
      nakMaxDelayMs: 60_000,
      egress: { allowPrivate: true, allowedCidrs: [] },
      secretKey: new Uint8Array(32),
      logger: createLogger({ level: "silent" }),
      gate,
      backlog: createBacklogParker({ prisma: db.prisma, lastJobSequence: async () => 0 }),
    });
    // An uncommitted attempt with the same number makes the record's insert wait for this
    // transaction: the attempt is sent, and its record cannot commit yet.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(
        "INSERT INTO attempts (delivery_id, attempt_number, status_code, response_body, latency_ms, error) VALUES ('dlv_slot', 1, 0, '', 0, '')",
      );
      let settled = false;
      const decision = processJob({
        deliveryId: "dlv_slot",
        endpointId: "ep_1",
        attempt: 1,
        sequence: 1,
      }).finally(() => {
        settled = true;
      });
      // The record has reached the database and waits for the blocker.
      await expect
        .poll(
          async () =>
            (
              await blocker.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )
            ).rows[0].n,
          { timeout: 5000, interval: 20 },
        )
        .toBeGreaterThan(0);
      expect(settled).toBe(false);
      const next = gate.enter("ep_1");
      expect(next.admitted).toBe(true);
      if (next.admitted) next.release("none");
      await blocker.query("ROLLBACK");
      expect(await decision).toMatchObject({ kind: "ack" });
      const stored = await db.prisma.delivery.findUniqueOrThrow({ where: { id: "dlv_slot" } });
      expect(stored.status).toBe("success");
    } finally {
      await blocker.end();
    }
  });
});
