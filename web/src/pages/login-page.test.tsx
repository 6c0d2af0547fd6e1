import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { SessionApi } from "../api/session.js";
import { LoginPage } from "./login-page.js";

function stubSessionApi(login: SessionApi["login"]): SessionApi {
  return {
    fetchSession: async () => ({ mode: "token", authenticated: false }),
    login,
    logout: async () => {},
  };
}

describe("LoginPage", () => {
  it("says why a token was refused and stays on the form", async () => {
    const onLoggedIn = vi.fn();
    render(
      <LoginPage
        sessionApi={stubSessionApi(async () => ({ ok: false, message: "that is not the admin token" }))}
        onLoggedIn={onLoggedIn}
      />,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Admin token"), "guess");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("that is not the admin token");
    expect(screen.getByLabelText("Admin token").getAttribute("aria-invalid")).toBe("true");
    expect(onLoggedIn).not.toHaveBeenCalled();
  });

  it("signs in with the keyboard alone", async () => {
    const login = vi.fn(async () => ({ ok: true as const }));
    const onLoggedIn = vi.fn();
    render(<LoginPage sessionApi={stubSessionApi(login)} onLoggedIn={onLoggedIn} />);
    const user = userEvent.setup();
    await user.keyboard("s3cret{Enter}");
    await vi.waitFor(() => expect(onLoggedIn).toHaveBeenCalledOnce());
    expect(login).toHaveBeenCalledWith("s3cret");
  });
});
