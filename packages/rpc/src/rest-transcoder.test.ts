import http from "node:http";
import { Code, ConnectError } from "@connectrpc/connect";
import { MessageService } from "@piperelay/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applicationId, startTestApi, type TestApi, withApiKey } from "./api-test-fixture.js";
import { servicePart } from "./service-parts.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.server.close();
});

async function rest(
  method: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: withApiKey({ "content-type": "application/json", ...init.headers }),
    body: init.body,
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe("REST routes from google.api.http options", () => {
  it("answers GET with a path variable with only the response_body field, in snake_case with defaults", async () => {
    const { status, json } = await rest("GET", "/api/v1/endpoints/ep_1");
    expect(status).toBe(200);
    expect(json).toEqual({
      id: "ep_1",
      application_id: applicationId,
      url: "https://example.com/hook",
      description: "",
      secret: "",
      event_types: [],
      is_active: false,
      metadata: {},
    });
  });

  it("URL-decodes path variables", async () => {
    const { json } = await rest("GET", "/api/v1/endpoints/ep%20with%2Fslash");
    expect(json).toMatchObject({ id: "ep with/slash" });
  });

  it("does not match an empty path variable", async () => {
    const { status, json } = await rest("GET", "/api/v1/endpoints//stats");
    expect(status).toBe(404);
    expect(json).toMatchObject({ code: "not_found" });
  });

  it("answers POST with the whole response and passes the Idempotency-Key header on", async () => {
    const { status, json } = await rest("POST", "/api/v1/messages", {
      body: JSON.stringify({ event_type: "order.paid", payload: { total: 3 } }),
      headers: { "idempotency-key": "key-1" },
    });
    expect(status).toBe(200);
    expect(json).toEqual({ id: "msg_1", event_type: "order.paid", status: "pending", endpoints_targeted: 0 });
    expect(api.recorded.idempotencyKeys).toContain("key-1");
  });

  it("accepts camelCase JSON names in the body as well as proto names", async () => {
    const { json } = await rest("POST", "/api/v1/endpoints", {
      body: JSON.stringify({ url: "https://a.example", eventTypes: ["a.b"] }),
    });
    expect(json).toMatchObject({ id: "ep_new", url: "https://a.example", event_types: ["a.b"] });
  });

  it("passes response headers set by the handler on", async () => {
    const { headers } = await rest("POST", "/api/v1/endpoints", { body: "{}" });
    expect(headers.get("x-stub")).toBe("created");
  });

  it("merges the path variable into a PUT body, the path winning", async () => {
    const { status, json } = await rest("PUT", "/api/v1/endpoints/ep_1", {
      body: JSON.stringify({
        id: "ep_other",
        url: "https://b.example",
        rate_limit: 5,
        metadata: { team: "x" },
      }),
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      id: "ep_1",
      url: "https://b.example",
      rate_limit: 5,
      metadata: { team: "x" },
    });
  });

  it("serves PATCH with a body and treats an empty body as {}", async () => {
    const on = await rest("PATCH", "/api/v1/endpoints/ep_1/toggle", { body: '{"is_active": true}' });
    expect(on.json).toMatchObject({ id: "ep_1", is_active: true });
    const flipped = await rest("PATCH", "/api/v1/endpoints/ep_1/toggle");
    expect(flipped.status).toBe(200);
    expect(flipped.json).toMatchObject({ id: "ep_1", is_active: false });
  });

  it("serves DELETE", async () => {
    const { status, json } = await rest("DELETE", "/api/v1/endpoints/ep_1");
    expect(status).toBe(200);
    expect(json).toEqual({ id: "ep_1", deleted: true });
  });
});

describe("REST query parameters", () => {
  it("coerce to the request's field types", async () => {
    const { status, json } = await rest(
      "GET",
      "/api/v1/messages?event_type=x&status=failed&since=2026-01-01T00:00:00Z&limit=10&cursor=abc",
    );
    expect(status).toBe(200);
    expect(json).toEqual({ messages: [], next_cursor: "abc-next" });
    const request = api.recorded.listMessages.at(-1);
    expect(request).toMatchObject({ eventType: "x", status: "failed", limit: 10, cursor: "abc" });
    expect(request?.since?.seconds).toBe(BigInt(Date.UTC(2026, 0, 1) / 1000));
    expect(request?.until).toBeUndefined();
  });

  it("reject an unknown parameter with 400", async () => {
    const { status, json } = await rest("GET", "/api/v1/messages?colour=red");
    expect(status).toBe(400);
    expect(json).toEqual({ code: "invalid_argument", message: 'unknown query parameter "colour"' });
  });

  it("reject a value of the wrong type with 400 naming the parameter", async () => {
    const limit = await rest("GET", "/api/v1/messages?limit=ten");
    expect(limit.status).toBe(400);
    expect(limit.json).toMatchObject({ message: expect.stringContaining('query parameter "limit"') });
    const since = await rest("GET", "/api/v1/messages?since=yesterday");
    expect(since.status).toBe(400);
    expect(since.json).toMatchObject({ message: expect.stringContaining("RFC 3339") });
  });

  it("are not accepted by methods that take the whole body", async () => {
    const { status } = await rest("POST", "/api/v1/messages?event_type=x", { body: "{}" });
    expect(status).toBe(400);
  });
});

describe("REST errors", () => {
  it("answer an unknown path under /api/v1/ with 404 JSON", async () => {
    const { status, json } = await rest("GET", "/api/v1/nothing-here");
    expect(status).toBe(404);
    expect(json).toMatchObject({ code: "not_found" });
  });

  it("answer a known path with the wrong method with 405 and an Allow header", async () => {
    const { status, headers, json } = await rest("DELETE", "/api/v1/messages");
    expect(status).toBe(405);
    expect(headers.get("allow")).toBe("GET, POST");
    expect(json).toMatchObject({ message: "DELETE is not allowed on /api/v1/messages" });
  });

  it("map a domain failure to its HTTP status", async () => {
    const { status, json } = await rest("GET", "/api/v1/endpoints/ep_missing");
    expect(status).toBe(404);
    expect(json).toEqual({ code: "not_found", message: 'endpoint "ep_missing" not found' });
  });

  it("hide an unexpected handler error behind 500 internal error and report it", async () => {
    const { status, json } = await rest("GET", "/api/v1/endpoints/ep_1/stats");
    expect(status).toBe(500);
    expect(json).toEqual({ code: "internal", message: "internal error" });
    expect(JSON.stringify(json)).not.toContain("hunter2");
    expect(api.recorded.internalErrors.at(-1)?.method).toBe("piperelay.v1.EndpointService/GetEndpointStats");
  });

  it("reject invalid JSON, non-UTF-8 and non-object bodies with 400", async () => {
    for (const body of ['{"url":', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]), "[1]"]) {
      const { status, json } = await rest("POST", "/api/v1/endpoints", { body });
      expect(status).toBe(400);
      expect(json).toMatchObject({ code: "invalid_argument" });
    }
  });

  it("reject unknown body fields with 400", async () => {
    const { status, json } = await rest("POST", "/api/v1/endpoints", { body: '{"colour":"red"}' });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("colour") });
  });

  it("refuse a body over the limit by its Content-Length with 413", async () => {
    const { status, json } = await rest("POST", "/api/v1/messages", {
      body: JSON.stringify({ event_type: "x", payload: "a".repeat(70 * 1024) }),
    });
    expect(status).toBe(413);
    expect(json).toMatchObject({ code: "resource_exhausted" });
  });

  it("refuse a chunked body once it grows over the limit with 413", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${api.baseUrl}/api/v1/messages`, { method: "POST", headers: withApiKey() });
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.write(`{"event_type":"x","payload":"${"a".repeat(40 * 1024)}`);
      req.write("a".repeat(40 * 1024));
    });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: "resource_exhausted" });
  });
});

describe("a REST client that goes away", () => {
  it("cancels the call: the handler's signal aborts with Canceled", async () => {
    let aborted: (reason: unknown) => void = () => {};
    const reason = new Promise<unknown>((resolve) => {
      aborted = resolve;
    });
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const hanging = await startTestApi({
      parts: [
        servicePart(MessageService, {
          async sendMessage(_req, ctx) {
            ctx.signal.addEventListener("abort", () => aborted(ctx.signal.reason));
            started();
            await reason;
            return {};
          },
        }),
      ],
    });
    try {
      const req = http.request(`${hanging.baseUrl}/api/v1/messages`, {
        method: "POST",
        headers: withApiKey({ "content-type": "application/json" }),
      });
      req.on("error", () => {});
      req.end(JSON.stringify({ event_type: "order.paid", payload: {} }));
      await handlerStarted;
      req.destroy();
      const why = await reason;
      expect(why).toBeInstanceOf(ConnectError);
      expect((why as ConnectError).code).toBe(Code.Canceled);
    } finally {
      await hanging.server.close();
    }
  });
});
