import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let operations: Receiver;
let failing: Receiver;

beforeAll(async () => {
  operations = await startReceiver();
  failing = await startReceiver(() => ({ status: 500 }));
  stack = await startStack({
    PIPERELAY_RETRY_SCHEDULE: "1s,1s,1s,1s",
    PIPERELAY_DISABLE_AFTER: "1500ms",
    PIPERELAY_OPERATIONAL_WEBHOOK_URL: operations.url,
  });
});
afterAll(async () => {
  await operations?.close();
  await failing?.close();
  await stack?.stop();
});

describe("automatic disabling", () => {
  it("disables an endpoint after a stretch of nothing but failures and tells the owner", async () => {
    const app = await createApp(stack.baseUrl);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: failing.url });
    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: {} });

    const [event] = await operations.waitFor(1, 20_000);
    expect(JSON.parse(event!.body)).toMatchObject({
      type: "endpoint.disabled",
      application_id: app.id,
      endpoint_id: endpoint.id,
      url: failing.url,
      reason: expect.stringMatching(/every attempt failed/),
    });
    const after = await restClient(stack.baseUrl, app.apiKey)("GET", `/api/v1/endpoints/${endpoint.id}`);
    expect(after.body.is_active).toBe(false);
    // Failing for 1.5 s takes at least two failed attempts a second apart, and fewer than the five allowed.
    const attempts = failing.requests.length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2500));
    expect(failing.requests.length).toBe(attempts);
    expect(operations.requests).toHaveLength(1);
  });

  it("forgets past failures once an attempt succeeds", async () => {
    const flaky = await startReceiver((_, i) => (i === 0 ? { status: 500 } : { status: 200 }));
    try {
      const app = await createApp(stack.baseUrl);
      const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: flaky.url });
      await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: {} });
      await flaky.waitFor(2);
      const row = await eventually(async () => {
        const { rows } = await stack.process.clients.database.pool.query(
          "SELECT is_active, failing_since FROM endpoints WHERE id = $1",
          [endpoint.id],
        );
        return rows[0].failing_since === null ? rows[0] : undefined;
      });
      expect(row.is_active).toBe(true);
    } finally {
      await flaky.close();
    }
  });
});
