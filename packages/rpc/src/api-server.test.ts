import http from "node:http";
import http2 from "node:http2";
import { Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { EndpointService, MessageService } from "@piperelay/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restPathPrefix } from "./api-server.js";
import { apiKey, applicationId, startTestApi, type TestApi, withApiKey } from "./api-test-fixture.js";
import { servicePart } from "./service-parts.js";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.server.close();
});

const bearer: Interceptor = (next) => (req) => {
  req.header.set("authorization", `Bearer ${apiKey}`);
  return next(req);
};

const transports: Record<string, () => Transport> = {
  "Connect JSON over HTTP/1.1": () =>
    createConnectTransport({ baseUrl: api.baseUrl, httpVersion: "1.1", interceptors: [bearer] }),
  "Connect binary over HTTP/2": () =>
    createConnectTransport({
      baseUrl: api.baseUrl,
      httpVersion: "2",
      useBinaryFormat: true,
      interceptors: [bearer],
    }),
  "gRPC over HTTP/2 (h2c)": () => createGrpcTransport({ baseUrl: api.baseUrl, interceptors: [bearer] }),
  "gRPC-web over HTTP/1.1": () =>
    createGrpcWebTransport({ baseUrl: api.baseUrl, httpVersion: "1.1", interceptors: [bearer] }),
};

describe.each(Object.entries(transports))("%s on the REST port", (_name, transport) => {
  it("calls the same handler, with the caller set by the API key", async () => {
    const client = createClient(EndpointService, transport());
    const { endpoint } = await client.getEndpoint({ id: "ep_1" });
    expect(endpoint).toMatchObject({ id: "ep_1", applicationId });
  });

  it("gets domain failures as their Connect code", async () => {
    const client = createClient(EndpointService, transport());
    const error = await client.getEndpoint({ id: "ep_missing" }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.NotFound, rawMessage: 'endpoint "ep_missing" not found' });
  });

  it("gets an unexpected handler error as Internal without its message", async () => {
    const client = createClient(EndpointService, transport());
    const error = await client.getEndpointStats({ id: "ep_1" }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: "internal error" });
    expect(String(error)).not.toContain("hunter2");
  });

  it("reaches both merged parts of MessageService", async () => {
    const client = createClient(MessageService, transport());
    await expect(client.sendMessage({ eventType: "a.b" })).resolves.toMatchObject({ id: "msg_1" });
    await expect(client.listMessages({ cursor: "c" })).resolves.toMatchObject({ nextCursor: "c-next" });
  });
});

describe("Connect JSON", () => {
  async function connectJson(path: string, body: string) {
    const response = await fetch(`${api.baseUrl}${path}`, {
      method: "POST",
      headers: withApiKey({ "content-type": "application/json" }),
      body,
    });
    return { status: response.status, json: await response.json() };
  }

  it("writes proto field names and default values, like REST", async () => {
    const { status, json } = await connectJson("/piperelay.v1.EndpointService/GetEndpoint", '{"id":"ep_1"}');
    expect(status).toBe(200);
    expect(json).toEqual({
      endpoint: expect.objectContaining({ application_id: applicationId, event_types: [], is_active: false }),
    });
  });

  it("rejects unknown fields", async () => {
    const { status, json } = await connectJson(
      "/piperelay.v1.EndpointService/GetEndpoint",
      '{"colour":"red"}',
    );
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: "invalid_argument" });
  });

  it("refuses a message over the size limit", async () => {
    const body = JSON.stringify({ eventType: "x", idempotencyKey: "k".repeat(70 * 1024) });
    const { json } = await connectJson("/piperelay.v1.MessageService/SendMessage", body);
    expect(json).toMatchObject({ code: "resource_exhausted" });
  });
});

describe("REST over HTTP/2 (h2c)", () => {
  function h2Request(headers: http2.OutgoingHttpHeaders, chunks: string[]) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const session = http2.connect(api.baseUrl);
      session.on("error", reject);
      const stream = session.request(headers);
      let status = 0;
      let body = "";
      stream.on("response", (h) => {
        status = Number(h[":status"]);
      });
      stream.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      stream.on("close", () => {
        session.close();
        resolve({ status, body });
      });
      for (const chunk of chunks) stream.write(chunk);
      if (headers[":method"] === "GET") stream.end();
    });
  }

  it("serves the same routes", async () => {
    const { status, body } = await h2Request(
      { ":path": "/api/v1/endpoints/ep_1", ":method": "GET", ...withApiKey() },
      [],
    );
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ id: "ep_1", application_id: applicationId });
  });

  it("refuses a streamed body over the limit with 413 and resets only the stream", async () => {
    const { status, body } = await h2Request(
      { ":path": "/api/v1/messages", ":method": "POST", ...withApiKey() },
      [`{"event_type":"x","payload":"${"a".repeat(40 * 1024)}`, "a".repeat(40 * 1024)],
    );
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: "resource_exhausted" });
  });
});

describe("paths outside the API", () => {
  it("go to the fallback, and get a 404 JSON error when it declines", async () => {
    const withFallback = await startTestApi({
      fallback: (req, res) => {
        if (req.url !== "/dashboard") return false;
        res.statusCode = 200;
        res.end("dashboard");
        return true;
      },
    });
    try {
      const dashboard = await fetch(`${withFallback.baseUrl}/dashboard`);
      expect(await dashboard.text()).toBe("dashboard");
      const other = await fetch(`${withFallback.baseUrl}/elsewhere`);
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ code: "not_found" });
    } finally {
      await withFallback.server.close();
    }
  });

  it("start with the REST prefix only for REST", () => {
    expect(restPathPrefix).toBe("/api/v1/");
  });
});

describe("close()", () => {
  it("ends idle HTTP/1.1 keep-alive connections and HTTP/2 sessions promptly", async () => {
    const running = await startTestApi({ shutdownGraceMs: 30_000 });
    const agent = new http.Agent({ keepAlive: true });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(`${running.baseUrl}/api/v1/health`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
    const session = http2.connect(running.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ":path": "/api/v1/health" });
      stream.on("error", reject);
      stream.resume();
      stream.on("end", resolve);
      stream.end();
    });
    const sessionClosed = new Promise((resolve) => session.once("close", resolve));
    const started = Date.now();
    await running.server.close();
    await sessionClosed;
    expect(Date.now() - started).toBeLessThan(1_000);
    agent.destroy();
  });

  it.each([
    ["Connect binary over HTTP/2", "2"],
    ["Connect JSON over HTTP/1.1", "1.1"],
  ] as const)(
    "aborts the signal of an RPC still running when the grace period ends (%s)",
    async (_name, httpVersion) => {
      let handlerStarted = () => {};
      const started = new Promise<void>((resolve) => {
        handlerStarted = resolve;
      });
      let abortedAt: number | undefined;
      const running = await startTestApi({
        shutdownGraceMs: 200,
        parts: [
          servicePart(MessageService, {
            sendMessage: (_req, ctx) =>
              new Promise((_resolve, reject) => {
                ctx.signal.addEventListener("abort", () => {
                  abortedAt = Date.now();
                  reject(ctx.signal.reason);
                });
                handlerStarted();
              }),
          }),
        ],
      });
      const client = createClient(
        MessageService,
        createConnectTransport({
          baseUrl: running.baseUrl,
          httpVersion,
          useBinaryFormat: httpVersion === "2",
          interceptors: [bearer],
        }),
      );
      const call = client.sendMessage({ eventType: "x" }).catch((e: unknown) => e);
      await started;
      const closing = Date.now();
      await running.server.close();
      // The handler hears of it when its connection closes, as close() destroys it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(abortedAt).toBeDefined();
      expect((abortedAt as number) - closing).toBeGreaterThanOrEqual(150);
      expect(await call).toBeInstanceOf(Error);
    },
  );

  it("lets a request in flight finish", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = await startTestApi({
      fallback: (_req, res) => {
        void gate.then(() => res.end("done"));
        return true;
      },
    });
    const response = fetch(`${running.baseUrl}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = running.server.close();
    release();
    await expect(response).resolves.toBe("done");
    await closed;
  });
});
