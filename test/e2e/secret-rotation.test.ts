// Rotating an endpoint's secret through the API: deliveries are signed with the
// new and the old secret during the overlap, and with the new one alone after it.
import { verifyWebhook } from "@piperelay/signing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

async function rotate(apiKey: string, endpointId: string, body: Record<string, unknown> = {}) {
  const res = await restClient(stack.baseUrl, apiKey)(
    "POST",
    `/api/v1/endpoints/${endpointId}/rotate-secret`,
    body,
  );
  expect(res.status).toBe(200);
  return String(res.body.secret);
}

describe("secret rotation", () => {
  it("signs with both secrets during the overlap, so receivers on either one verify", async () => {
    const app = await createApp(stack.baseUrl);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url });
    const oldSecret = String(endpoint.secret);
    const newSecret = await rotate(app.apiKey, String(endpoint.id));
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "order.paid", payload: { n: 1 } });
    const [request] = await receiver.waitFor(1, 10_000);
    // Two space-separated signatures in each scheme.
    expect(String(request!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifyWebhook(newSecret, request!.headers, request!.body)).toBe(true);
    expect(verifyWebhook(oldSecret, request!.headers, request!.body)).toBe(true);
    expect(verifyWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", request!.headers, request!.body)).toBe(
      false,
    );
  });

  it("signs with the new secret alone once the old one has expired", async () => {
    const app = await createApp(stack.baseUrl);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: `${receiver.url}/expired` });
    const oldSecret = String(endpoint.secret);
    const newSecret = await rotate(app.apiKey, String(endpoint.id));
    // Let the overlap (delivery.secret_overlap, 24 h) run out.
    const db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
    await db.query(
      "UPDATE endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1",
      [endpoint.id],
    );
    await db.end();

    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "order.paid", payload: { n: 2 } });
    const request = await receiver
      .waitFor(2, 10_000)
      .then((all) => all.find((r) => r.path.endsWith("/expired")));
    expect(String(request!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verifyWebhook(newSecret, request!.headers, request!.body)).toBe(true);
    expect(verifyWebhook(oldSecret, request!.headers, request!.body)).toBe(false);
  });
});
