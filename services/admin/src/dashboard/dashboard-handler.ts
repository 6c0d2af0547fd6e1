import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeRequest, NodeResponse } from "@piperelay/rpc";
import { readCookie, sessionCookie, sessionCookieName } from "./cookies.js";
import { createLoginThrottle, type LoginThrottle } from "./login-throttle.js";
import { createSessions, type Sessions } from "./session.js";
import { readStaticFile } from "./static-files.js";

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** Where the dashboard is served (`dashboard.path`), e.g. `/dashboard`. */
  path: string;
  /** The admin token, which logs in; undefined: no login is possible. */
  adminToken: string | undefined;
  /** The API treats every caller without a token as the admin (local mode without a token). */
  openAdmin: boolean;
  /** The built single-page app (`web/dist`); undefined: a page says to build it. */
  buildDir: string | undefined;
  /** @defaultValue a throttle of 10 failures per 5 minutes per client address */
  throttle?: LoginThrottle;
  /** Injectable clock for the sessions. */
  now?: () => number;
}

/** The dashboard as part of the API server. */
export interface Dashboard {
  /** Answers requests under the dashboard path (the `fallback` of the API server); false for others. */
  handle(req: NodeRequest, res: NodeResponse): boolean;
  /** Whether a request carries a valid session cookie: the auth interceptor then treats it as the admin. */
  isAdminSession(header: Headers): boolean;
}

/** How the dashboard signs in, as `GET <path>/auth/session` reports it. */
export type DashboardMode = "token" | "open" | "disabled";

type Response = {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: string | Buffer): unknown;
};

const securityHeaders: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

const maxLoginBodyBytes = 4096;

/**
 * Serves the dashboard under `path`: the built single-page app (every path
 * without a file extension gets index.html, with a `<base>` pointing at
 * `path`, so the app's own routes survive a reload) and a small session API:
 *
 * - `GET <path>/auth/session` → `{"mode": "token"|"open"|"disabled", "authenticated": bool}`
 * - `POST <path>/auth/login` with `{"token": "<admin token>"}` → 204 and the session cookie
 * - `POST <path>/auth/logout` → 204, the cookie cleared and the session revoked here
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const base = options.path.replace(/\/+$/, "");
  const sessions: Sessions | undefined =
    options.adminToken === undefined
      ? undefined
      : createSessions({ adminToken: options.adminToken, now: options.now });
  const throttle = options.throttle ?? createLoginThrottle();
  const mode: DashboardMode =
    options.adminToken !== undefined ? "token" : options.openAdmin ? "open" : "disabled";
  const tokenDigest = options.adminToken === undefined ? undefined : digest(options.adminToken);

  function send(res: NodeResponse, status: number, body: string | Buffer, headers: Record<string, string>) {
    (res as unknown as Response).writeHead(status, { ...securityHeaders, ...headers });
    (res as unknown as Response).end(body);
  }
  function json(res: NodeResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
    send(res, status, JSON.stringify(value), {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    });
  }
  function noContent(res: NodeResponse, headers: Record<string, string>) {
    send(res, 204, "", { "cache-control": "no-store", ...headers });
  }

  function sessionOf(cookieHeader: string | string[] | null | undefined): string | undefined {
    return readCookie(
      Array.isArray(cookieHeader) ? cookieHeader.join("; ") : cookieHeader,
      sessionCookieName,
    );
  }

  async function login(req: NodeRequest, res: NodeResponse): Promise<void> {
    if (sessions === undefined || tokenDigest === undefined) {
      json(res, 409, {
        code: "failed_precondition",
        message: "no admin token is configured, so there is nothing to log in with",
      });
      return;
    }
    const address = req.socket?.remoteAddress ?? "unknown";
    const waitMs = throttle.retryAfterMs(address);
    if (waitMs > 0) {
      json(
        res,
        429,
        { code: "resource_exhausted", message: "too many failed logins; try again later" },
        { "retry-after": String(Math.ceil(waitMs / 1000)) },
      );
      return;
    }
    const body = await readSmallBody(req, maxLoginBodyBytes);
    let token: unknown;
    try {
      token = body === undefined ? undefined : (JSON.parse(body) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (typeof token !== "string" || token === "") {
      json(res, 400, { code: "invalid_argument", message: 'send {"token": "<admin token>"}' });
      return;
    }
    if (!timingSafeEqual(digest(token), tokenDigest)) {
      throttle.failed(address);
      json(res, 401, { code: "unauthenticated", message: "that is not the admin token" });
      return;
    }
    throttle.succeeded(address);
    const session = sessions.issue();
    noContent(res, {
      "set-cookie": sessionCookie(session.value, {
        maxAgeSeconds: session.maxAgeSeconds,
        secure: isHttps(req),
      }),
    });
  }

  function handleAuth(action: string, req: NodeRequest, res: NodeResponse) {
    const method = req.method ?? "GET";
    if (action === "session") {
      if (method !== "GET")
        return json(res, 405, { code: "unimplemented", message: "use GET" }, { allow: "GET" });
      return json(res, 200, {
        mode,
        authenticated: mode === "open" || (sessions?.verify(sessionOf(req.headers.cookie)) ?? false),
      });
    }
    if (action !== "login" && action !== "logout") {
      return json(res, 404, { code: "not_found", message: `no route for ${base}/auth/${action}` });
    }
    if (method !== "POST")
      return json(res, 405, { code: "unimplemented", message: "use POST" }, { allow: "POST" });
    // Another site's form or script cannot send JSON here without a CORS preflight, which this server never allows.
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json") || !sameOrigin(req)) {
      return json(res, 403, {
        code: "permission_denied",
        message: "send JSON from the dashboard's own origin",
      });
    }
    if (action === "logout") {
      sessions?.revoke(sessionOf(req.headers.cookie));
      return noContent(res, { "set-cookie": sessionCookie("", { maxAgeSeconds: 0, secure: isHttps(req) }) });
    }
    login(req, res).catch(() => {
      if (!res.headersSent)
        json(res, 400, { code: "invalid_argument", message: "could not read the request" });
      else res.destroy();
    });
  }

  function serveApp(relative: string, req: NodeRequest, res: NodeResponse) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json(res, 405, { code: "unimplemented", message: "use GET" }, { allow: "GET, HEAD" });
    }
    if (options.buildDir === undefined) {
      return send(res, 503, notBuiltPage, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
      });
    }
    const lastSegment = relative.split("/").at(-1) ?? "";
    if (relative === "" || relative === "index.html" || !lastSegment.includes(".")) {
      const html = readFileSync(join(options.buildDir, "index.html"), "utf8").replace(
        "<head>",
        `<head>\n    <base href="${escapeAttribute(base)}/" />`,
      );
      return send(res, 200, req.method === "HEAD" ? "" : html, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-cache",
      });
    }
    const file = readStaticFile(options.buildDir, relative);
    if (file === undefined) {
      return send(res, 404, "not found", { "content-type": "text/plain; charset=utf-8" });
    }
    send(res, 200, req.method === "HEAD" ? "" : file.body, {
      "content-type": file.contentType,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  }

  return {
    handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname;
      if (path !== base && !path.startsWith(`${base}/`)) return false;
      if (path === base) {
        send(res, 308, "", { location: `${base}/${url.search}` });
        return true;
      }
      const relative = path.slice(base.length + 1);
      const auth = /^auth\/([a-z]+)$/.exec(relative);
      try {
        if (auth?.[1] !== undefined) handleAuth(auth[1], req, res);
        else serveApp(relative, req, res);
      } catch {
        // E.g. web/dist removed while running (a rebuild): say so rather than take the server down.
        if (!res.headersSent) send(res, 503, notBuiltPage, { "content-type": "text/html; charset=utf-8" });
        else res.destroy();
      }
      return true;
    },
    isAdminSession(header) {
      return sessions?.verify(sessionOf(header.get("cookie"))) ?? false;
    },
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function isHttps(req: NodeRequest): boolean {
  const socket = req.socket as { encrypted?: boolean } | undefined;
  return socket?.encrypted === true || req.headers["x-forwarded-proto"] === "https";
}

/** No Origin (same-origin GETs, older browsers) or one whose host is the request's own. */
function sameOrigin(req: NodeRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host ?? req.headers[":authority"];
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function readSmallBody(req: NodeRequest, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        resolve(undefined);
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PipeRelay dashboard</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The dashboard has not been built</h1>
<p>Run <code>npm run build</code> in the PipeRelay checkout (it builds <code>web/dist</code>), then reload this page.
The API works without it.</p>
</body></html>
`;
