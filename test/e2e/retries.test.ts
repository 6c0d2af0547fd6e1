import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// The stack runs with PIPERELAY_RETRY_SCHEDULE=1s,2s: three attempts in all.
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

async function messageWhen(apiKey: string, id: string, status: string) {
  return eventually(
    async () => {
      const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${id}`);
      return res.body.status === status ? res.body : undefined;
    },
    20_000,
    `message ${id} to be ${status}`,
  );
}

describe("retries", () => {
  let receiver: Receiver;
  afterAll(async () => receiver?.close());

  it("retries a 500 on the schedule, then succeeds, recording every attempt", async () => {
    receiver = await startReceiver((_, index) =>
      index < 2 ? { status: 500, body: "boom" } : { status: 200 },
    );
    const app = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url });
    const sent = await sendMessage(stack.baseUrl, app.apiKey, {
      event_type: "order.paid",
      payload: { n: 1 },
    });

    const requests = await receiver.waitFor(3, 20_000);
    const gaps = [requests[1]!.at - requests[0]!.at, requests[2]!.at - requests[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(1900);
    // The same message id and body on every attempt; receivers dedupe on it.
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set([sent.id]));

    const message = await messageWhen(app.apiKey, String(sent.id), "delivered");
    const delivery = (message.deliveries as Record<string, unknown>[])[0]!;
    expect(delivery).toMatchObject({ status: "success", attempt_count: 3 });
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        attempt_number: 1,
        status_code: 500,
        response_body: "boom",
        error: "HTTP 500",
      }),
      expect.objectContaining({ attempt_number: 2, status_code: 500 }),
      expect.objectContaining({ attempt_number: 3, status_code: 200, error: "" }),
    ]);
  });

  it("marks the delivery failed after the last attempt, then a manual retry delivers it", async () => {
    const failing = await startReceiver(() => ({ status: 503 }));
    try {
      const app = await createApp(stack.baseUrl);
      const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: failing.url });
      const sent = await sendMessage(stack.baseUrl, app.apiKey, {
        event_type: "order.paid",
        payload: [1, 2],
      });

      const pending = await messageWhen(app.apiKey, String(sent.id), "pending");
      expect(pending.status).toBe("pending");
      const failed = await messageWhen(app.apiKey, String(sent.id), "failed");
      const delivery = (failed.deliveries as Record<string, unknown>[])[0]!;
      expect(delivery).toMatchObject({ status: "failed", attempt_count: 3 });
      expect(delivery.next_retry_at).toBeUndefined();
      expect(failing.requests).toHaveLength(3);
      // No fourth attempt comes.
      await new Promise((r) => setTimeout(r, 2500));
      expect(failing.requests).toHaveLength(3);

      failing.respondWith(() => ({ status: 204 }));
      const retry = await restClient(stack.baseUrl, app.apiKey)(
        "POST",
        `/api/v1/messages/${sent.id}/retry`,
        {},
      );
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ id: sent.id, deliveries_requeued: 1 });
      const delivered = await messageWhen(app.apiKey, String(sent.id), "delivered");
      const after = (delivered.deliveries as Record<string, unknown>[])[0]!;
      expect(after).toMatchObject({ endpoint_id: endpoint.id, status: "success", attempt_count: 4 });
      expect(failing.requests).toHaveLength(4);
    } finally {
      await failing.close();
    }
  });

  it("counts a connection error and a timeout as failures", async () => {
    const app = await createApp(stack.baseUrl);
    // Nothing listens on port 9 of loopback.
    await createEndpoint(stack.baseUrl, app.apiKey, { url: "http://127.0.0.1:9/hook" });
    const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: {} });
    const failed = await messageWhen(app.apiKey, String(sent.id), "failed");
    const attempts = (failed.deliveries as { attempts: Record<string, unknown>[] }[])[0]!.attempts;
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toMatchObject({ status_code: 0 });
    expect(String(attempts[0]!.error)).toMatch(/ECONNREFUSED/);
  });

  it("does not follow redirects: a 3xx is a failure", async () => {
    const redirecting = await startReceiver(() => ({ status: 302 }));
    try {
      const app = await createApp(stack.baseUrl);
      await createEndpoint(stack.baseUrl, app.apiKey, { url: redirecting.url });
      const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: {} });
      const failed = await messageWhen(app.apiKey, String(sent.id), "failed");
      const attempts = (failed.deliveries as { attempts: Record<string, unknown>[] }[])[0]!.attempts;
      expect(attempts[0]).toMatchObject({ status_code: 302, error: "HTTP 302" });
    } finally {
      await redirecting.close();
    }
  });
});
