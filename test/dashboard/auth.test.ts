import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint } from "../support/fixtures.js";
import { startStack, type TestStack } from "../support/stack.js";
import { connectCall, loginCookie } from "./support.js";

const adminToken = "dashboard-admin-token";
const header = "x-piperelay-application";
let stack: TestStack;
let alpha: { id: string; apiKey: string };
let beta: { id: string; apiKey: string };

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_ADMIN_TOKEN: adminToken });
  alpha = await createApp(stack.baseUrl, "alpha", adminToken);
  beta = await createApp(stack.baseUrl, "beta", adminToken);
  await createEndpoint(stack.baseUrl, alpha.apiKey, { url: "https://alpha.example/hook" });
  await createEndpoint(stack.baseUrl, beta.apiKey, { url: "https://beta.example/hook" });
});
afterAll(async () => {
  await stack?.stop();
});

const listEndpoints = (headers: Record<string, string>) =>
  connectCall(stack.baseUrl, "EndpointService/ListEndpoints", {}, headers);
const urlsOf = (body: Record<string, unknown>) =>
  ((body.endpoints ?? []) as { url: string }[]).map((endpoint) => endpoint.url);

describe("acting as an application", () => {
  it("refuses the application header without admin credentials", async () => {
    const anonymous = await listEndpoints({ [header]: alpha.id });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toContain("needs admin credentials");
    // Another application's key cannot reach alpha through the header either.
    const otherKey = await listEndpoints({ [header]: alpha.id, authorization: `Bearer ${beta.apiKey}` });
    expect(otherKey.status).toBe(401);
    const forged = await listEndpoints({
      [header]: alpha.id,
      cookie: "piperelay_session=v1.9999999999.abc.def",
    });
    expect(forged.status).toBe(401);
  });

  it("lets the admin token act as the named application, and only that one", async () => {
    const asAlpha = await listEndpoints({ [header]: alpha.id, authorization: `Bearer ${adminToken}` });
    expect(asAlpha.status).toBe(200);
    expect(urlsOf(asAlpha.body)).toEqual(["https://alpha.example/hook"]);
    const asBeta = await listEndpoints({ [header]: beta.id, authorization: `Bearer ${adminToken}` });
    expect(urlsOf(asBeta.body)).toEqual(["https://beta.example/hook"]);
    const unknown = await listEndpoints({
      [header]: "app_01UNKNOWNUNKNOWNUNKNOWN00",
      authorization: `Bearer ${adminToken}`,
    });
    expect(unknown.status).toBe(404);
    const stats = await connectCall(
      stack.baseUrl,
      "HealthService/GetStats",
      {},
      {
        [header]: alpha.id,
        authorization: `Bearer ${adminToken}`,
      },
    );
    expect(stats.body.active_endpoints).toBe(1);
  });

  it("accepts the session cookie as the admin, and needs it", async () => {
    const cookie = await loginCookie(stack.baseUrl, adminToken);
    const asAlpha = await listEndpoints({ [header]: alpha.id, cookie });
    expect(asAlpha.status).toBe(200);
    expect(urlsOf(asAlpha.body)).toEqual(["https://alpha.example/hook"]);
    const apps = await connectCall(stack.baseUrl, "ApplicationService/ListApplications", {}, { cookie });
    expect(apps.status).toBe(200);
    expect(await connectCall(stack.baseUrl, "ApplicationService/ListApplications", {})).toMatchObject({
      status: 401,
    });
    // Without naming an application, the admin has no application to act as.
    const unnamed = await listEndpoints({ cookie });
    expect(unnamed.status).toBe(401);
    expect(unnamed.body.message).toContain(header);
    // The REST API takes bearer tokens only: neither the cookie nor the header goes through.
    const rest = await restClient(stack.baseUrl)("GET", "/api/v1/endpoints", undefined, {
      cookie,
      [header]: alpha.id,
    });
    expect(rest.status).toBe(401);
  });

  it("stops accepting the cookie after logout", async () => {
    const cookie = await loginCookie(stack.baseUrl, adminToken);
    expect((await listEndpoints({ [header]: alpha.id, cookie })).status).toBe(200);
    const logout = await fetch(`${stack.baseUrl}/dashboard/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: "{}",
    });
    expect(logout.status).toBe(204);
    expect((await listEndpoints({ [header]: alpha.id, cookie })).status).toBe(401);
  });

  it("refuses a wrong admin token at login", async () => {
    const response = await fetch(`${stack.baseUrl}/dashboard/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "not-the-token" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("local mode without an admin token", () => {
  it("tells the dashboard there is no login, and lets it act as any application", async () => {
    const local = await startStack({});
    try {
      const session = await fetch(`${local.baseUrl}/dashboard/auth/session`);
      expect(await session.json()).toEqual({ mode: "open", authenticated: true });
      const app = await createApp(local.baseUrl, "local");
      const endpoints = await connectCall(
        local.baseUrl,
        "EndpointService/ListEndpoints",
        {},
        { [header]: app.id },
      );
      expect(endpoints.status).toBe(200);
    } finally {
      await local.stop();
    }
  });
});
