// An endpoint that hangs (accepts requests and never answers) and then comes
// back: its backlog returns at the release's pace, not at the pace of the
// attempts that hung until their timeout while it was down.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, untilCircuitRecordedOpen } from "../support/count-rows.js";
import { createApp, createEndpoint, sendMany } from "../support/fixtures.js";
import { eventually, holds } from "../support/poll.js";
import { startStack, type TestStack } from "../support/stack.js";

const backlogSize = 300;
let stack: TestStack;
let db: pg.Client;
let endpoint: Server;
let endpointUrl: string;
let up = false;
const answeredAt: number[] = [];

beforeAll(async () => {
  stack = await startStack({
    PIPERELAY_DELIVERY_TIMEOUT: "5s",
    PIPERELAY_DELIVERY_CIRCUIT_COOLDOWN: "2s",
    // Enough attempts that nothing fails for good while the endpoint is down.
    PIPERELAY_RETRY_SCHEDULE: "1s",
    PIPERELAY_MAX_ATTEMPTS: "50",
  });
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  endpoint = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      // While down, requests are left hanging until the dispatcher gives up on them.
      if (!up) return;
      answeredAt.push(Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
}, 60_000);

afterAll(async () => {
  endpoint?.closeAllConnections();
  endpoint?.close();
  await db?.end();
  await stack?.stop();
});

const count = (sql: string, params: unknown[]) => countRows(db, sql, params);

describe("an endpoint that hung and comes back", () => {
  it("gets its backlog at the release's pace, not at the pace of its timeouts", async () => {
    const app = await createApp(stack.baseUrl);
    const hung = await createEndpoint(stack.baseUrl, app.apiKey, { url: endpointUrl });
    await sendMany(stack.baseUrl, app.apiKey, backlogSize, "bulk.event");
    // Its attempts run into the 5 s timeout, the circuit opens and the backlog is parked.
    await untilCircuitRecordedOpen(db, String(hung.id), 30_000);

    up = true;
    await eventually(
      async () =>
        holds(
          (await count("SELECT count(*) AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'success'", [
            hung.id,
          ])) === backlogSize,
        ),
      90_000,
      `all ${backlogSize} deliveries to the returning endpoint`,
    );
    // The first is the probe, when the park ends; then 300 at 200 a second (1.5 s). Averaging
    // the probe with the 5 s timeouts kept the endpoint slow and gave the jobs sent back at its
    // cap turns hundreds of milliseconds apart: 13 s from the first to the last.
    expect(Math.max(...answeredAt) - Math.min(...answeredAt)).toBeLessThan(5000);
  }, 150_000);
});
