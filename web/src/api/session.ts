/** How the server lets the dashboard in (see `GET <dashboard>/auth/session`). */
export type SessionMode = "token" | "open" | "disabled";

export interface SessionState {
  /** `token`: log in with the admin token; `open`: local mode, no token configured; `disabled`: no admin access. */
  mode: SessionMode;
  authenticated: boolean;
}

/** The login endpoints under the dashboard's path. */
export interface SessionApi {
  fetchSession(): Promise<SessionState>;
  /** Logs in with the admin token; resolves to an error message when refused. */
  login(token: string): Promise<{ ok: true } | { ok: false; message: string }>;
  logout(): Promise<void>;
}

/** The session endpoints at `basePath` (e.g. `/dashboard`), with the browser's fetch (cookies included). */
export function createSessionApi(basePath: string, fetcher: typeof fetch = fetch): SessionApi {
  const post = (action: string, body: unknown) =>
    fetcher(`${basePath}/auth/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  return {
    async fetchSession() {
      const response = await fetcher(`${basePath}/auth/session`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`the server answered ${response.status} to ${basePath}/auth/session`);
      return (await response.json()) as SessionState;
    },
    async login(token) {
      const response = await post("login", { token });
      if (response.ok) return { ok: true };
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      return { ok: false, message: body.message ?? `the server answered ${response.status}` };
    },
    async logout() {
      await post("logout", {});
    },
  };
}
