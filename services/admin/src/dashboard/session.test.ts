import { describe, expect, it } from "vitest";
import { createSessions } from "./session.js";

describe("dashboard sessions", () => {
  it("accepts a session it issued until it expires", () => {
    let now = Date.parse("2026-03-01T00:00:00Z");
    const sessions = createSessions({ adminToken: "admin-token", ttlMs: 60_000, now: () => now });
    const { value, maxAgeSeconds } = sessions.issue();
    expect(maxAgeSeconds).toBe(60);
    expect(sessions.verify(value)).toBe(true);
    now += 59_000;
    expect(sessions.verify(value)).toBe(true);
    now += 1_000;
    expect(sessions.verify(value)).toBe(false);
  });

  it("refuses tampered, truncated, foreign and missing values", () => {
    const sessions = createSessions({ adminToken: "admin-token" });
    const { value } = sessions.issue();
    const [version, expiry, id, mac] = value.split(".") as [string, string, string, string];
    expect(sessions.verify(`${version}.${Number(expiry) + 3600}.${id}.${mac}`)).toBe(false);
    expect(sessions.verify(`${version}.${expiry}.${id}X.${mac}`)).toBe(false);
    expect(sessions.verify(`${version}.${expiry}.${id}`)).toBe(false);
    expect(sessions.verify(undefined)).toBe(false);
    expect(sessions.verify("")).toBe(false);
    const other = createSessions({ adminToken: "another-token" });
    expect(other.verify(value)).toBe(false);
  });

  it("works on every replica with the same admin token, and ends with a new token", () => {
    const value = createSessions({ adminToken: "shared" }).issue().value;
    expect(createSessions({ adminToken: "shared" }).verify(value)).toBe(true);
    expect(createSessions({ adminToken: "rotated" }).verify(value)).toBe(false);
  });

  it("revokes a session in the process that logged it out", () => {
    const sessions = createSessions({ adminToken: "admin-token" });
    const kept = sessions.issue().value;
    const loggedOut = sessions.issue().value;
    sessions.revoke(loggedOut);
    expect(sessions.verify(loggedOut)).toBe(false);
    expect(sessions.verify(kept)).toBe(true);
  });
});
