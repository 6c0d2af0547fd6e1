import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { ApiServerOptions } from "./api-server.js";
import { adminToken, apiKey, applicationId, startTestApi, type TestApi } from "./api-test-fixture.js";

async function call(api: TestApi, method: string, path: string, token?: string) {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body: method === "POST" ? '{"name":"acme"}' : undefined,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function startWith(auth: Partial<ApiServerOptions["auth"]>): Promise<TestApi> {
  const api = await startTestApi({
    auth: {
      adminToken,
      openAdmin: false,
      resolveApiKey: async (k) => (k === apiKey ? applicationId : undefined),
      ...auth,
    },
  });
  onTestFinished(() => api.server.close());
  return api;
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.server.close();
});

describe("application-scoped methods", () => {
  it("refuse a call without credentials with 401", async () => {
    const { status, json } = await call(api, "GET", "/api/v1/endpoints/ep_1");
    expect(status).toBe(401);
    expect(json).toEqual({
      code: "unauthenticated",
      message: "missing Authorization: Bearer <api_key> header",
    });
  });

  it("refuse an unknown API key with 401", async () => {
    const { status, json } = await call(api, "GET", "/api/v1/endpoints/ep_1", "pk_live_nope");
    expect(status).toBe(401);
    expect(json).toEqual({ code: "unauthenticated", message: "unknown API key" });
  });

  it("refuse the admin token, which belongs to no application", async () => {
    const { status, json } = await call(api, "GET", "/api/v1/endpoints/ep_1", adminToken);
    expect(status).toBe(401);
    expect(json.message).toContain("application API key");
  });

  it("hand the handler the application of a known API key", async () => {
    const { status } = await call(api, "GET", "/api/v1/endpoints/ep_1", apiKey);
    expect(status).toBe(200);
    expect(api.recorded.callers.at(-1)).toEqual({ kind: "application", applicationId });
  });

  it("hide a failing key lookup behind 500 internal error", async () => {
    const failing = await startWith({
      resolveApiKey: async () => {
        throw new Error("pool exhausted: postgres://relay:hunter2@db");
      },
    });
    const { status, json } = await call(failing, "GET", "/api/v1/endpoints/ep_1", apiKey);
    expect(status).toBe(500);
    expect(json).toEqual({ code: "internal", message: "internal error" });
    expect(failing.recorded.internalErrors).toHaveLength(1);
  });
});

describe("application management", () => {
  it("needs the admin token", async () => {
    const missing = await call(api, "GET", "/api/v1/applications");
    expect(missing.status).toBe(401);
    const wrong = await call(api, "GET", "/api/v1/applications", "not-the-token");
    expect(wrong.status).toBe(401);
    const appKey = await call(api, "GET", "/api/v1/applications", apiKey);
    expect(appKey.status).toBe(401);
    const admin = await call(api, "POST", "/api/v1/applications", adminToken);
    expect(admin.status).toBe(200);
    expect(admin.json).toMatchObject({ id: "app_new", name: "acme", api_key: "pk_live_new" });
    expect(api.recorded.callers.at(-1)).toEqual({ kind: "admin" });
  });

  it("is open to any caller in local mode", async () => {
    const local = await startWith({ adminToken: undefined, openAdmin: true });
    const { status } = await call(local, "GET", "/api/v1/applications");
    expect(status).toBe(200);
    expect(local.recorded.callers.at(-1)).toEqual({ kind: "admin" });
  });

  it("is disabled without an admin token outside local mode", async () => {
    const closed = await startWith({ adminToken: undefined, openAdmin: false });
    const { status } = await call(closed, "GET", "/api/v1/applications", "anything");
    expect(status).toBe(403);
  });
});

describe("health and stats", () => {
  it("serve health checks without credentials", async () => {
    const { status, json } = await call(api, "GET", "/api/v1/health");
    expect(status).toBe(200);
    expect(json).toEqual({ status: "ok", version: "test", checks: [] });
    expect(api.recorded.callers.at(-1)).toEqual({ kind: "anonymous" });
  });

  it("serve stats to the admin and to applications, not to anonymous callers", async () => {
    expect((await call(api, "GET", "/api/v1/stats", adminToken)).json.messages_today).toBe(100);
    expect((await call(api, "GET", "/api/v1/stats", apiKey)).json.messages_today).toBe(1);
    expect((await call(api, "GET", "/api/v1/stats")).status).toBe(401);
  });

  it("serve stats to the admin without a token in local mode", async () => {
    const local = await startWith({ adminToken: undefined, openAdmin: true });
    expect((await call(local, "GET", "/api/v1/stats")).json.messages_today).toBe(100);
  });
});
