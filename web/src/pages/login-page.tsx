import { type FormEvent, useState } from "react";
import type { SessionApi } from "../api/session.js";
import { Logo } from "../components/logo.js";

/** Asks for the admin token and starts a session (an HttpOnly cookie set by the server). */
export function LoginPage({ sessionApi, onLoggedIn }: { sessionApi: SessionApi; onLoggedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await sessionApi.login(token);
      if (result.ok) onLoggedIn();
      else setError(result.message);
    } catch {
      setError("The dashboard cannot reach the server. Check that PipeRelay is running.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-describedby="login-help">
        <Logo />
        <h1>Sign in to the dashboard</h1>
        <p id="login-help" className="muted">
          Use the admin token this server was started with (<code>PIPERELAY_ADMIN_TOKEN</code>, or{" "}
          <code>server.admin_token</code> in piperelay.yaml).
        </p>
        <label htmlFor="admin-token" className="field-label">
          Admin token
        </label>
        <input
          id="admin-token"
          name="token"
          type="password"
          className="input"
          autoComplete="current-password"
          // biome-ignore lint/a11y/noAutofocus: the only field on a page whose one purpose is to fill it.
          autoFocus
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error !== undefined}
          aria-errormessage={error !== undefined ? "login-error" : undefined}
        />
        {error !== undefined && (
          <p id="login-error" className="inline-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary button-block" disabled={busy || token === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
