import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

const adminToken = "test-admin-token";
let stack: TestStack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_ADMIN_TOKEN: adminToken });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

describe("authentication and tenant isolation", () => {
  it("requires the admin token for application management once one is set", async () => {
    const anonymous = await restClient(stack.baseUrl)("POST", "/api/v1/applications", { name: "x" });
    expect(anonymous.status).toBe(401);
    const wrong = await restClient(stack.baseUrl, "nope")("GET", "/api/v1/applications");
    expect(wrong.status).toBe(401);
    const ok = await restClient(stack.baseUrl, adminToken)("GET", "/api/v1/applications");
    expect(ok.status).toBe(200);
  });

  it("answers 401 for a missing or unknown API key", async () => {
    const missing = await restClient(stack.baseUrl)("GET", "/api/v1/endpoints");
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: "unauthenticated" });
    const unknown = await restClient(stack.baseUrl, "pk_live_doesnotexist")("GET", "/api/v1/endpoints");
    expect(unknown.status).toBe(401);
    // An application's key is not an admin token.
    const app = await createApp(stack.baseUrl, "a", adminToken);
    const asApp = await restClient(stack.baseUrl, app.apiKey)("GET", "/api/v1/applications");
    expect(asApp.status).toBe(401);
  });

  it("shows each application only its own endpoints, messages and deliveries", async () => {
    const a = await createApp(stack.baseUrl, "a", adminToken);
    const b = await createApp(stack.baseUrl, "b", adminToken);
    const endpoint = await createEndpoint(stack.baseUrl, a.apiKey, { url: receiver.url });
    const sent = await sendMessage(stack.baseUrl, a.apiKey, { event_type: "x", payload: {} });
    const [request] = await receiver.waitFor(1);
    expect(request?.headers["x-piperelay-id"]).toBe(sent.id);

    const asB = restClient(stack.baseUrl, b.apiKey);
    for (const path of [`/api/v1/endpoints/${endpoint.id}`, `/api/v1/messages/${sent.id}`]) {
      const res = await asB("GET", path);
      expect(res.status, path).toBe(404);
    }
    expect((await asB("PUT", `/api/v1/endpoints/${endpoint.id}`, { url: receiver.url })).status).toBe(404);
    expect((await asB("DELETE", `/api/v1/endpoints/${endpoint.id}`)).status).toBe(404);
    expect((await asB("PATCH", `/api/v1/endpoints/${endpoint.id}/toggle`, {})).status).toBe(404);
    expect((await asB("POST", `/api/v1/messages/${sent.id}/retry`, {})).status).toBe(404);
    const list = await asB("GET", "/api/v1/endpoints");
    expect(list.body.endpoints).toEqual([]);
    const messages = await asB("GET", "/api/v1/messages");
    expect(messages.body.messages).toEqual([]);
    // B's message goes to none of A's endpoints.
    const fromB = await sendMessage(stack.baseUrl, b.apiKey, { event_type: "x", payload: {} });
    expect(fromB.endpoints_targeted).toBe(0);

    const asA = restClient(stack.baseUrl, a.apiKey);
    const message = await asA("GET", `/api/v1/messages/${sent.id}`);
    const deliveryId = (message.body.deliveries as { id: string }[])[0]?.id;
    expect((await asB("GET", `/api/v1/deliveries/${deliveryId}`)).status).toBe(404);
    expect((await asA("GET", `/api/v1/deliveries/${deliveryId}`)).status).toBe(200);
  });

  it("stops accepting a rotated key at once and stores no key in clear", async () => {
    const app = await createApp(stack.baseUrl, "rotating", adminToken);
    const rotated = await restClient(stack.baseUrl, adminToken)(
      "POST",
      `/api/v1/applications/${app.id}/rotate-key`,
      {},
    );
    expect(rotated.status).toBe(200);
    const newKey = String(rotated.body.api_key);
    expect(newKey).toMatch(/^pk_live_/);
    expect(newKey).not.toBe(app.apiKey);
    expect((await restClient(stack.baseUrl, newKey)("GET", "/api/v1/endpoints")).status).toBe(200);
    const got = await restClient(stack.baseUrl, adminToken)("GET", `/api/v1/applications/${app.id}`);
    expect(got.body.api_key).toBe("");
    const rows = await stack.process.clients.database.pool.query(
      "SELECT count(*)::int AS n FROM applications WHERE api_key_hash = $1 OR api_key_hash = $2",
      [app.apiKey, newKey],
    );
    expect(rows.rows[0].n).toBe(0);
  });
});
