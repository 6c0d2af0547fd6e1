import { migrateUp } from "@piperelay/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type PrivatePostgres, startPrivatePostgres } from "../support/private-postgres.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let pg: PrivatePostgres;
let stack: TestStack;
let receiver: Receiver;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  await migrateUp(pg.url);
  stack = await startStack({ DATABASE_URL: pg.url });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await pg?.dispose();
});

describe("PostgreSQL restarting under a running stack", () => {
  it("answers 503 quickly while the database is down, stores nothing, and resumes by itself", async () => {
    const { apiKey } = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
    const before = await sendMessage(stack.baseUrl, apiKey, { event_type: "db.before", payload: {} });
    await receiver.waitFor(1);

    await pg.stop();
    const started = Date.now();
    const refused = await restClient(stack.baseUrl, apiKey)("POST", "/api/v1/messages", {
      event_type: "db.down",
      payload: {},
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: "unavailable" });
    expect(Date.now() - started).toBeLessThan(6000);
    const health = await restClient(stack.baseUrl)("GET", "/api/v1/health");
    expect(health.status).toBe(503);

    await pg.start();
    const after = await eventually(async () => {
      const res = await restClient(stack.baseUrl, apiKey)("POST", "/api/v1/messages", {
        event_type: "db.after",
        payload: {},
      });
      return res.status === 200 ? res.body : undefined;
    }, 30_000);
    const requests = await receiver.waitFor(2, 30_000);
    expect(requests.map((r) => r.headers["x-piperelay-id"])).toEqual([before.id, after.id]);
    const { rows } = await stack.process.clients.database.pool.query(
      "SELECT event_type FROM messages ORDER BY id",
    );
    expect(rows.map((r: { event_type: string }) => r.event_type)).toEqual(["db.before", "db.after"]);
  });
});
