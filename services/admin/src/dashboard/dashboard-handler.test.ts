import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboard, type Dashboard } from "./dashboard-handler.js";
import { createLoginThrottle } from "./login-throttle.js";

const adminToken = "s3cret-admin-token";
let buildDir: string;

beforeAll(() => {
  buildDir = mkdtempSync(join(tmpdir(), "piperelay-dashboard-"));
  mkdirSync(join(buildDir, "assets"));
  writeFileSync(
    join(buildDir, "index.html"),
    "<!doctype html><html><head><title>x</title></head><body></body></html>",
  );
  writeFileSync(join(buildDir, "assets", "app-123.js"), "console.log('app')");
  writeFileSync(join(tmpdir(), "outside-the-build.txt"), "secret");
});

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), "outside-the-build.txt"), { force: true });
});

/** Serves a dashboard on a free port, with the API stubbed out as 404s. */
async function serve(options: Partial<Parameters<typeof createDashboard>[0]> = {}) {
  const dashboard: Dashboard = createDashboard({
    path: "/dashboard",
    adminToken,
    openAdmin: false,
    buildDir,
    ...options,
  });
  const server: Server = createServer((req, res) => {
    if (!dashboard.handle(req, res)) res.writeHead(404).end("api");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { dashboard, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = { "content-type": "application/json" };

describe("the dashboard's login", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie for the admin token, which then counts as the admin", async () => {
    const { dashboard, base, close } = await serve();
    try {
      const response = await fetch(`${base}/dashboard/auth/login`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ token: adminToken }),
      });
      expect(response.status).toBe(204);
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^piperelay_session=v1\./);
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("SameSite=Strict");
      expect(cookie).toContain("Path=/");
      expect(cookie).not.toContain("Secure");
      const pair = cookie.split(";")[0] ?? "";
      expect(dashboard.isAdminSession(new Headers({ cookie: pair }))).toBe(true);
      expect(dashboard.isAdminSession(new Headers({ cookie: `${pair}x` }))).toBe(false);
      expect(dashboard.isAdminSession(new Headers())).toBe(false);

      const session = await fetch(`${base}/dashboard/auth/session`, { headers: { cookie: pair } });
      expect(await session.json()).toEqual({ mode: "token", authenticated: true });

      const logout = await fetch(`${base}/dashboard/auth/logout`, {
        method: "POST",
        headers: { ...json, cookie: pair },
        body: "{}",
      });
      expect(logout.status).toBe(204);
      expect(logout.headers.get("set-cookie")).toMatch(/^piperelay_session=; .*Max-Age=0/);
      expect(dashboard.isAdminSession(new Headers({ cookie: pair }))).toBe(false);
    } finally {
      await close();
    }
  });

  it("refuses a wrong token, and slows down guessing", async () => {
    const { base, close } = await serve({ throttle: createLoginThrottle({ maxFailures: 2 }) });
    try {
      const attempt = () =>
        fetch(`${base}/dashboard/auth/login`, { method: "POST", headers: json, body: '{"token":"guess"}' });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      const throttled = await attempt();
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
      const session = await fetch(`${base}/dashboard/auth/session`);
      expect(await session.json()).toEqual({ mode: "token", authenticated: false });
    } finally {
      await close();
    }
  });

  it("accepts only JSON from its own origin", async () => {
    const { base, close } = await serve();
    try {
      const form = await fetch(`${base}/dashboard/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `token=${adminToken}`,
      });
      expect(form.status).toBe(403);
      const crossSite = await fetch(`${base}/dashboard/auth/login`, {
        method: "POST",
        headers: { ...json, origin: "https://evil.example" },
        body: JSON.stringify({ token: adminToken }),
      });
      expect(crossSite.status).toBe(403);
      expect(crossSite.headers.get("set-cookie")).toBeNull();
      expect((await fetch(`${base}/dashboard/auth/login`)).status).toBe(405);
    } finally {
      await close();
    }
  });

  it("says when there is no token to log in with (local mode)", async () => {
    const { dashboard, base, close } = await serve({ adminToken: undefined, openAdmin: true });
    try {
      const session = await fetch(`${base}/dashboard/auth/session`);
      expect(await session.json()).toEqual({ mode: "open", authenticated: true });
      const login = await fetch(`${base}/dashboard/auth/login`, {
        method: "POST",
        headers: json,
        body: "{}",
      });
      expect(login.status).toBe(409);
      expect(dashboard.isAdminSession(new Headers({ cookie: "piperelay_session=v1.1.2.3" }))).toBe(false);
    } finally {
      await close();
    }
  });
});

describe("the dashboard's files", () => {
  it("serves index.html with a <base> for every app route, and hashed assets as immutable", async () => {
    const { base, close } = await serve();
    try {
      for (const path of ["/dashboard/", "/dashboard/messages", "/dashboard/endpoints/ep_123"]) {
        const page = await fetch(`${base}${path}`);
        expect(page.status).toBe(200);
        expect(page.headers.get("content-type")).toContain("text/html");
        expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
        expect(await page.text()).toContain('<base href="/dashboard/" />');
      }
      const asset = await fetch(`${base}/dashboard/assets/app-123.js`);
      expect(asset.headers.get("content-type")).toContain("text/javascript");
      expect(asset.headers.get("cache-control")).toContain("immutable");
      const redirect = await fetch(`${base}/dashboard`, { redirect: "manual" });
      expect([redirect.status, redirect.headers.get("location")]).toEqual([308, "/dashboard/"]);
    } finally {
      await close();
    }
  });

  it("answers 404 for missing files and paths outside the build, and leaves other paths alone", async () => {
    const { base, close } = await serve();
    try {
      expect((await fetch(`${base}/dashboard/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${base}/dashboard/..%2Foutside-the-build.txt`)).status).toBe(404);
      expect((await fetch(`${base}/dashboard/assets/..%2F..%2F..%2Fetc%2Fpasswd.txt`)).status).toBe(404);
      expect(await (await fetch(`${base}/dashboardx`)).text()).toBe("api");
      expect(await (await fetch(`${base}/piperelay.v1.HealthService/CheckHealth`)).text()).toBe("api");
    } finally {
      await close();
    }
  });

  it("says how to build the dashboard when it has not been built", async () => {
    const { base, close } = await serve({ buildDir: undefined });
    try {
      const page = await fetch(`${base}/dashboard/`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("npm run build");
    } finally {
      await close();
    }
  });

  it("serves under a configured path", async () => {
    const { base, close } = await serve({ path: "/ops/relay/" });
    try {
      expect(await (await fetch(`${base}/ops/relay/messages`)).text()).toContain(
        '<base href="/ops/relay/" />',
      );
      expect(await (await fetch(`${base}/dashboard/`)).text()).toBe("api");
    } finally {
      await close();
    }
  });
});
