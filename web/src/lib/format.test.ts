import { describe, expect, it } from "vitest";
import { formatLatency, formatRate, formatRelative } from "./format.js";

describe("formatting", () => {
  it("writes rates as percentages, and nothing to divide as a dash", () => {
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0.923)).toBe("92.3%");
    expect(formatRate(0)).toBe("0%");
    expect(formatRate(undefined)).toBe("—");
  });

  it("writes latency in ms below a second and in seconds above", () => {
    expect(formatLatency(84.6)).toBe("85 ms");
    expect(formatLatency(1240)).toBe("1.24 s");
  });

  it("writes times relative to now", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    expect(formatRelative(new Date("2026-03-01T11:59:58Z"), now)).toBe("just now");
    expect(formatRelative(new Date("2026-03-01T11:55:00Z"), now)).toBe("5 min ago");
    expect(formatRelative(new Date("2026-02-27T12:00:00Z"), now)).toBe("2 days ago");
    expect(formatRelative(new Date("2026-03-01T12:00:30Z"), now)).toBe("in 30 s");
    expect(formatRelative(undefined, now)).toBe("—");
  });
});
