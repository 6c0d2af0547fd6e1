import { describe, expect, it } from "vitest";
import { retryDelay } from "./retry-policy.js";

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
