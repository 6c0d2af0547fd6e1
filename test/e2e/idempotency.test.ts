import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, messageCount, sendMessage } from "../support/fixtures.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receiver: Receiver;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
  ({ apiKey } = await createApp(stack.baseUrl));
  await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

describe("idempotency keys", () => {
  it("returns the same message for a repeated Idempotency-Key header without a second delivery", async () => {
    const headers = { "Idempotency-Key": "order-1001" };
    const first = await sendMessage(
      stack.baseUrl,
      apiKey,
      { event_type: "order.paid", payload: { a: 1 } },
      headers,
    );
    const second = await sendMessage(
      stack.baseUrl,
      apiKey,
      { event_type: "order.paid", payload: { a: 1 } },
      headers,
    );
    expect(second.id).toBe(first.id);
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.requests.filter((r) => r.headers["x-piperelay-id"] === first.id)).toHaveLength(1);
  });

  it("treats the idempotency_key field like the header", async () => {
    const first = await sendMessage(stack.baseUrl, apiKey, {
      event_type: "x",
      payload: 1,
      idempotency_key: "k-field",
    });
    const second = await sendMessage(
      stack.baseUrl,
      apiKey,
      { event_type: "x", payload: 1 },
      { "Idempotency-Key": "k-field" },
    );
    expect(second.id).toBe(first.id);
  });

  it("creates exactly one message when the same key races in concurrently", async () => {
    const before = await messageCount(stack);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        sendMessage(stack.baseUrl, apiKey, { event_type: "x", payload: 2 }, { "Idempotency-Key": "race" }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await messageCount(stack)).toBe(before + 1);
  });

  it("keeps keys per application", async () => {
    const other = await createApp(stack.baseUrl);
    const mine = await sendMessage(
      stack.baseUrl,
      apiKey,
      { event_type: "x", payload: 1 },
      { "Idempotency-Key": "shared" },
    );
    const theirs = await sendMessage(
      stack.baseUrl,
      other.apiKey,
      { event_type: "x", payload: 1 },
      { "Idempotency-Key": "shared" },
    );
    expect(theirs.id).not.toBe(mine.id);
  });

  it("refuses a header and a field that disagree", async () => {
    const res = await restClient(stack.baseUrl, apiKey)(
      "POST",
      "/api/v1/messages",
      { event_type: "x", payload: 1, idempotency_key: "a" },
      { "Idempotency-Key": "b" },
    );
    expect(res.status).toBe(400);
  });
});
