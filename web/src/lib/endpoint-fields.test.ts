import { describe, expect, it } from "vitest";
import { formatMetadata, parseEventTypes, parseMetadata, parseRateLimit } from "./endpoint-fields.js";

describe("endpoint form fields", () => {
  it("splits event types on commas, spaces and lines, once each", () => {
    expect(parseEventTypes(" order.paid, invoice.*\norder.paid  alert.triggered ")).toEqual([
      "order.paid",
      "invoice.*",
      "alert.triggered",
    ]);
    expect(parseEventTypes("  ")).toEqual([]);
  });

  it("reads metadata as key=value lines and writes it back the same way", () => {
    const parsed = parseMetadata("team=billing\n\n customer = acme \nurl=https://x.example/?a=b");
    expect(parsed).toEqual({
      ok: true,
      value: { team: "billing", customer: "acme", url: "https://x.example/?a=b" },
    });
    expect(parsed.ok && formatMetadata(parsed.value)).toBe(
      "team=billing\ncustomer=acme\nurl=https://x.example/?a=b",
    );
    expect(parseMetadata("team")).toEqual({ ok: false, error: "line 1: write key=value" });
    expect(parseMetadata("a=1\na=2")).toEqual({ ok: false, error: 'line 2: "a" appears twice' });
  });

  it("takes an empty rate limit as unlimited and refuses fractions and zero", () => {
    expect(parseRateLimit("")).toEqual({ ok: true, value: undefined });
    expect(parseRateLimit(" 25 ")).toEqual({ ok: true, value: 25 });
    expect(parseRateLimit("0").ok).toBe(false);
    expect(parseRateLimit("1.5").ok).toBe(false);
  });
});
