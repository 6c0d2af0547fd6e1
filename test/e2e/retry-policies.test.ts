// Retry settings per application and per endpoint, over the server's
// (PIPERELAY_RETRY_SCHEDULE=1s,2s: three attempts, 5 s timeout), through the
// whole stack with real receivers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let failing: Receiver;
let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  stack = await startStack();
  failing = await startReceiver(() => ({ status: 500, body: "down" }));
  // Reads the request and never answers.
  silent = createServer((req) => req.resume());
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  silent?.closeAllConnections();
  silent?.close();
  await failing?.close();
  await stack?.stop();
});

async function createAppWithPolicy(retryPolicy: Record<string, unknown>) {
  const res = await restClient(stack.baseUrl)("POST", "/api/v1/applications", {
    name: "policy app",
    retry_policy: retryPolicy,
  });
  expect(res.status).toBe(200);
  expect(res.body.retry_policy).toMatchObject(retryPolicy);
  return { id: String(res.body.id), apiKey: String(res.body.api_key) };
}

async function deliveriesWhenFinished(apiKey: string, messageId: string) {
  return eventually(
    async () => {
      const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${messageId}`);
      return res.body.status === "failed" ? (res.body.deliveries as Record<string, unknown>[]) : undefined;
    },
    20_000,
    `message ${messageId} to fail for good`,
  );
}

describe("retry policies", () => {
  it("retries as the endpoint says, else as its application says, else as the server says", async () => {
    const app = await createAppWithPolicy({ schedule: ["1s"], max_attempts: 2 });
    const inherits = await createEndpoint(stack.baseUrl, app.apiKey, { url: `${failing.url}/inherits` });
    const once = await createEndpoint(stack.baseUrl, app.apiKey, {
      url: `${failing.url}/once`,
      retry_policy: { max_attempts: 1 },
    });
    const fourTimes = await createEndpoint(stack.baseUrl, app.apiKey, {
      url: `${failing.url}/four`,
      retry_policy: { schedule: ["1s", "1s", "1s"] },
    });
    // JSON shows an empty schedule as [], like every other repeated field.
    expect(once.retry_policy).toEqual({ schedule: [], max_attempts: 1 });
    expect(fourTimes.retry_policy).toEqual({ schedule: ["1s", "1s", "1s"] });
    expect(inherits.retry_policy).toBeUndefined();

    const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "order.paid", payload: {} });
    const deliveries = await deliveriesWhenFinished(app.apiKey, String(sent.id));
    const attemptsTo = (endpoint: Record<string, unknown>) =>
      deliveries.find((d) => d.endpoint_id === endpoint.id)?.attempt_count;
    expect(attemptsTo(inherits)).toBe(2);
    expect(attemptsTo(once)).toBe(1);
    expect(attemptsTo(fourTimes)).toBe(4);

    const paths = failing.requests.map((r) => r.path);
    expect(paths.filter((p) => p.endsWith("/inherits"))).toHaveLength(2);
    expect(paths.filter((p) => p.endsWith("/once"))).toHaveLength(1);
    const four = failing.requests.filter((r) => r.path.endsWith("/four"));
    expect(four).toHaveLength(4);
    // The endpoint's 1 s delays, not the server's 2 s second delay.
    expect(four[3]!.at - four[2]!.at).toBeLessThan(1900);
  });

  it("cuts an attempt off at the endpoint's own timeout", async () => {
    const app = await createAppWithPolicy({ max_attempts: 1 });
    await createEndpoint(stack.baseUrl, app.apiKey, { url: silentUrl, retry_policy: { timeout: "1s" } });
    const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: {} });
    const [delivery] = await deliveriesWhenFinished(app.apiKey, String(sent.id));
    const [attempt] = delivery!.attempts as Record<string, unknown>[];
    expect(String(attempt!.error)).toMatch(/timeout|timed out/i);
    // The server's timeout is 5 s.
    expect(Number(attempt!.latency_ms)).toBeLessThan(3000);
  });

  it("changes an application's policy with PUT and rejects a bad one with 400", async () => {
    const app = await createAppWithPolicy({ max_attempts: 3 });
    const admin = restClient(stack.baseUrl);
    const bad = await admin("PUT", `/api/v1/applications/${app.id}`, {
      name: "policy app",
      retry_policy: { timeout: "600s" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/retry_policy.timeout/);
    const unchanged = await admin("GET", `/api/v1/applications/${app.id}`);
    expect(unchanged.body.retry_policy).toEqual({ schedule: [], max_attempts: 3 });

    const updated = await admin("PUT", `/api/v1/applications/${app.id}`, {
      name: "renamed",
      retry_policy: { schedule: ["30s", "120s"] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: "renamed", retry_policy: { schedule: ["30s", "120s"] } });
  });
});
