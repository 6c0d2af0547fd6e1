import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receivers: Record<string, Receiver>;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack();
  receivers = {
    exact: await startReceiver(),
    wildcard: await startReceiver(),
    star: await startReceiver(),
    all: await startReceiver(),
    disabled: await startReceiver(),
    other: await startReceiver(),
  };
  ({ apiKey } = await createApp(stack.baseUrl));
  const url = (name: string) => `${receivers[name]!.url}/${name}`;
  await createEndpoint(stack.baseUrl, apiKey, { url: url("exact"), event_types: ["alert.triggered"] });
  await createEndpoint(stack.baseUrl, apiKey, { url: url("wildcard"), event_types: ["alert.*"] });
  await createEndpoint(stack.baseUrl, apiKey, { url: url("star"), event_types: ["*"] });
  await createEndpoint(stack.baseUrl, apiKey, { url: url("all"), event_types: [] });
  await createEndpoint(stack.baseUrl, apiKey, { url: url("disabled"), event_types: ["*"], is_active: false });
  await createEndpoint(stack.baseUrl, apiKey, {
    url: url("other"),
    event_types: ["session.completed", "alerts.*"],
  });
});
afterAll(async () => {
  for (const r of Object.values(receivers ?? {})) await r.close();
  await stack?.stop();
});

describe("fan-out by event type", () => {
  it("delivers to exact, prefix-wildcard, star and empty subscriptions, but not to disabled or unrelated ones", async () => {
    const sent = await sendMessage(stack.baseUrl, apiKey, {
      event_type: "alert.triggered",
      payload: { cpu: 97 },
    });
    expect(sent.endpoints_targeted).toBe(4);
    for (const name of ["exact", "wildcard", "star", "all"]) await receivers[name]!.waitFor(1);
    await eventually(async () => {
      const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${sent.id}`);
      return res.body.status === "delivered" ? true : undefined;
    });
    expect(receivers.disabled!.requests).toHaveLength(0);
    expect(receivers.other!.requests).toHaveLength(0);
  });

  it("matches nested names under a wildcard but not the bare prefix", async () => {
    const nested = await sendMessage(stack.baseUrl, apiKey, { event_type: "alert.cpu.high", payload: 1 });
    expect(nested.endpoints_targeted).toBe(3);
    const bare = await sendMessage(stack.baseUrl, apiKey, { event_type: "alert", payload: 1 });
    expect(bare.endpoints_targeted).toBe(2);
  });

  it("accepts a message no endpoint wants and reports it delivered with no targets", async () => {
    const app = await createApp(stack.baseUrl);
    const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "nobody.cares", payload: null });
    expect(sent).toMatchObject({ endpoints_targeted: 0, status: "delivered" });
  });
});
