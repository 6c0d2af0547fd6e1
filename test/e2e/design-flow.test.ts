import { execFileSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { eventually } from "../support/poll.js";
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

// The design's Node.js recipe, verbatim in substance: it must accept what PipeRelay sends.
function designNodeVerify(payload: string, headers: Record<string, unknown>, secret: string): boolean {
  const timestamp = headers["x-piperelay-timestamp"];
  const signature = String(headers["x-piperelay-signature"]);
  const toSign = `${timestamp}.${payload}`;
  const expected = `v1=${createHmac("sha256", secret).update(toSign).digest("hex")}`;
  return (
    signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  );
}

describe("the design's curl flow over REST", () => {
  const payload = {
    session_id: "sess_abc123",
    user_id: "user_456",
    duration: 342,
    pages_visited: 12,
    recording_url: "https://app.seentics.com/replay/sess_abc123",
  };
  let apiKey = "";
  let endpoint: Record<string, unknown> = {};
  let messageId = "";

  it("creates an application and shows its API key", async () => {
    const res = await restClient(stack.baseUrl)("POST", "/api/v1/applications", { name: "Seentics" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Seentics" });
    expect(res.body.id).toMatch(/^app_[0-9A-Z]{26}$/);
    expect(res.body.api_key).toMatch(/^pk_live_/);
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    apiKey = String(res.body.api_key);
  });

  it("registers an endpoint with a generated whsec_ secret", async () => {
    const res = await restClient(stack.baseUrl, apiKey)("POST", "/api/v1/endpoints", {
      url: receiver.url,
      description: "Acme Corp production webhook",
      event_types: ["session.completed", "alert.triggered"],
      rate_limit: 10,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      url: receiver.url,
      event_types: ["session.completed", "alert.triggered"],
      is_active: true,
      rate_limit: 10,
    });
    expect(res.body.id).toMatch(/^ep_/);
    expect(res.body.secret).toMatch(/^whsec_/);
    endpoint = res.body;
  });

  it("accepts a message and answers as the design shows", async () => {
    const res = await restClient(stack.baseUrl, apiKey)("POST", "/api/v1/messages", {
      event_type: "session.completed",
      payload,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      "endpoints_targeted",
      "event_type",
      "id",
      "status",
      "timestamp",
    ]);
    expect(res.body).toMatchObject({
      event_type: "session.completed",
      status: "pending",
      endpoints_targeted: 1,
    });
    expect(res.body.id).toMatch(/^msg_/);
    messageId = String(res.body.id);
  });

  it("delivers it signed so that the design's Node and Python recipes and Standard Webhooks verify it", async () => {
    const [request] = await receiver.waitFor(1);
    expect(request?.method).toBe("POST");
    const headers = request?.headers ?? {};
    const body = request?.body ?? "";
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["user-agent"]).toMatch(/^PipeRelay\/\d+\.\d+\.\d+$/);
    expect(headers["x-piperelay-id"]).toBe(messageId);
    expect(headers["webhook-id"]).toBe(messageId);
    const sentAt = Number(headers["x-piperelay-timestamp"]);
    expect(Math.abs(sentAt - Date.now() / 1000)).toBeLessThan(30);
    expect(headers["x-piperelay-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const secret = String(endpoint.secret);
    expect(designNodeVerify(body, headers, secret)).toBe(true);
    expect(designNodeVerify(`${body} `, headers, secret)).toBe(false);
    const python = (secretToUse: string) =>
      JSON.parse(
        execFileSync("python3", ["test/fixtures/verify_webhook.py"], {
          input: JSON.stringify({ secret: secretToUse, headers, body }),
          encoding: "utf8",
        }),
      );
    expect(python(secret)).toEqual({ piperelay: true, standard: true });
    expect(python("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toEqual({ piperelay: false, standard: false });
  });

  it("shows the delivery and its attempt on the message", async () => {
    const call = restClient(stack.baseUrl, apiKey);
    const message = await eventually(async () => {
      const res = await call("GET", `/api/v1/messages/${messageId}`);
      return res.body.status === "delivered" ? res.body : undefined;
    });
    expect(message).toMatchObject({
      id: messageId,
      event_type: "session.completed",
      payload,
      endpoints_targeted: 1,
    });
    const deliveries = message.deliveries as Record<string, unknown>[];
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      endpoint_id: endpoint.id,
      endpoint_url: receiver.url,
      status: "success",
      attempt_count: 1,
    });
    expect(deliveries[0]?.id).toMatch(/^dlv_/);
    expect(deliveries[0]?.completed_at).toBeDefined();
    const attempts = deliveries[0]?.attempts as Record<string, unknown>[];
    expect(attempts).toEqual([
      expect.objectContaining({ attempt_number: 1, status_code: 200, response_body: "ok", error: "" }),
    ]);
    expect(attempts[0]?.latency_ms).toBeTypeOf("number");

    const delivery = await call("GET", `/api/v1/deliveries/${deliveries[0]?.id}`);
    expect(delivery.body).toMatchObject({ id: deliveries[0]?.id, status: "success" });
    const listed = await call("GET", `/api/v1/deliveries/${deliveries[0]?.id}/attempts`);
    expect(listed.body.attempts).toHaveLength(1);
  });

  it("lists the message and reports it in stats and health", async () => {
    const call = restClient(stack.baseUrl, apiKey);
    const list = await call("GET", "/api/v1/messages?event_type=session.completed&status=delivered&limit=10");
    expect(list.status).toBe(200);
    expect((list.body.messages as { id: string }[]).map((m) => m.id)).toEqual([messageId]);
    const stats = await call("GET", "/api/v1/stats");
    expect(stats.body).toMatchObject({
      messages_today: 1,
      deliveries_succeeded: 1,
      active_endpoints: 1,
      success_rate: 1,
    });
    const health = await restClient(stack.baseUrl)("GET", "/api/v1/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("ok");
    const endpointStats = await call("GET", `/api/v1/endpoints/${endpoint.id}/stats`);
    expect(endpointStats.body).toMatchObject({ total_deliveries: 1, successful_deliveries: 1 });
  });
});
