import { describe, expect, it } from "vitest";
import { resolveDeliverySettings, retryDelay } from "./retry-policy.js";

const design = {
  schedule: [30_000, 120_000, 600_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000],
  maxAttempts: 8,
};

describe("retryDelay", () => {
  it("follows the design's schedule and stops after the eighth attempt", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(design, n));
    expect(delays).toEqual([
      30_000,
      120_000,
      600_000,
      1_800_000,
      7_200_000,
      28_800_000,
      86_400_000,
      undefined,
    ]);
  });
  it("repeats the last delay when max attempts outruns the schedule", () => {
    expect(retryDelay({ schedule: [1000], maxAttempts: 4 }, 3)).toBe(1000);
  });
  it("gives up at once when only one attempt is allowed", () => {
    expect(retryDelay({ schedule: [1000], maxAttempts: 1 }, 1)).toBeUndefined();
  });
});

describe("resolveDeliverySettings", () => {
  const server = { policy: design, timeoutMs: 30_000 };

  it("uses the server's settings when nothing is overridden", () => {
    expect(resolveDeliverySettings(server, {}, {})).toEqual(server);
  });

  it("takes each field from the endpoint, else the application, else the server", () => {
    const settings = resolveDeliverySettings(
      server,
      { schedule_ms: [1000, 2000], max_attempts: 5, timeout_ms: 10_000 },
      { timeout_ms: 2000 },
    );
    expect(settings).toEqual({ policy: { schedule: [1000, 2000], maxAttempts: 5 }, timeoutMs: 2000 });
    expect(resolveDeliverySettings(server, { max_attempts: 2 }, {}).policy).toEqual({
      schedule: design.schedule,
      maxAttempts: 2,
    });
  });

  it("allows one attempt more than a schedule that comes without max attempts", () => {
    expect(resolveDeliverySettings(server, {}, { schedule_ms: [5000] }).policy.maxAttempts).toBe(2);
    // The endpoint's schedule decides even when the application sets max attempts.
    expect(
      resolveDeliverySettings(server, { max_attempts: 9 }, { schedule_ms: [5000] }).policy.maxAttempts,
    ).toBe(2);
  });
});
