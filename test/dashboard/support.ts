// Helpers of the dashboard tests: Connect calls as the browser makes them,
// logging in for a cookie, the built dashboard, and headless Chromium.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** A Connect unary call with JSON, as connect-web sends it; returns the HTTP status and JSON body. */
export async function connectCall(
  baseUrl: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/piperelay.v1.${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Logs in to the dashboard and returns the `name=value` of its session cookie. */
export async function loginCookie(baseUrl: string, token: string): Promise<string> {
  const response = await fetch(`${baseUrl}/dashboard/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 204) throw new Error(`login answered ${response.status}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  if (!cookie) throw new Error("login set no cookie");
  return cookie;
}

/** Builds web/dist when it is missing (`npm test` builds it first; this is for running one file alone). */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(repoRoot, "web", "dist", "index.html"))) return;
  execFileSync("npm", ["run", "build", "--workspace", "web"], { cwd: repoRoot, stdio: "inherit" });
}

/** Debian's Chromium; `.ci/run` installs it when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless Chromium with a fresh profile; never downloads a browser. Close it with `close()`. */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "piperelay-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
