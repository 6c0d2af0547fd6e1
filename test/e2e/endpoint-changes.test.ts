import { adminComponent } from "@piperelay/admin";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { freePort } from "../support/free-port.js";
import { type ServiceProcess, spawnService, waitForOutput } from "../support/processes.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

// Each ingest process keeps the subscribers it matched (services/ingest/src/subscriber-cache.ts).
// An endpoint change made through the admin API must reach the very next message, whichever
// ingest takes it: here one in this process and one OS process, both with the old match cached.

let stack: TestStack;
let other: ServiceProcess;
let otherUrl = "";

beforeAll(async () => {
  stack = await startStack({}, [ingestComponent, adminComponent]);
  const port = await freePort();
  other = spawnService(
    "ingest",
    stackEnv(stack.database, stack.config.queue.prefix, {
      PIPERELAY_PORT: String(port),
      PIPERELAY_LOG_LEVEL: "info",
    }),
  );
  await waitForOutput(other, "API listening");
  otherUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await other?.stop();
  await stack?.stop();
});

describe("endpoint changes and ingest's cached subscribers", () => {
  it("reach the next message through either ingest process", async () => {
    const { apiKey } = await createApp(stack.baseUrl);
    const admin = restClient(stack.baseUrl, apiKey);
    const targeted = async (baseUrl: string) =>
      (await sendMessage(baseUrl, apiKey, { event_type: "order.paid", payload: { n: 1 } }))
        .endpoints_targeted ?? 0;

    const first = await createEndpoint(stack.baseUrl, apiKey, {
      url: "https://a.example/hook",
      event_types: ["order.*"],
    });
    // Both processes match order.paid and keep it.
    expect(await targeted(stack.baseUrl)).toBe(1);
    expect(await targeted(otherUrl)).toBe(1);

    const second = await createEndpoint(stack.baseUrl, apiKey, { url: "https://b.example/hook" });
    expect(await targeted(otherUrl)).toBe(2);
    expect(await targeted(stack.baseUrl)).toBe(2);

    expect((await admin("PATCH", `/api/v1/endpoints/${first.id}/toggle`, { is_active: false })).status).toBe(
      200,
    );
    expect(await targeted(otherUrl)).toBe(1);

    const changed = await admin("PUT", `/api/v1/endpoints/${second.id}`, {
      url: "https://b.example/hook",
      event_types: ["user.*"],
    });
    expect(changed.status).toBe(200);
    expect(await targeted(stack.baseUrl)).toBe(0);

    expect((await admin("PATCH", `/api/v1/endpoints/${first.id}/toggle`, { is_active: true })).status).toBe(
      200,
    );
    expect(await targeted(otherUrl)).toBe(1);
    expect((await admin("DELETE", `/api/v1/endpoints/${first.id}`)).status).toBe(200);
    expect(await targeted(otherUrl)).toBe(0);
    expect(await targeted(stack.baseUrl)).toBe(0);
  });
});
