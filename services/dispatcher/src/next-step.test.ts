import { describe, expect, it } from "vitest";
import { maxRetryAfterMs, nextStep } from "./next-step.js";

const policy = { schedule: [30_000, 120_000, 600_000], maxAttempts: 4 };
const base = { policy, nakMaxDelayMs: 300_000, permanent: false, now: 0, roundAttempts: 1 };
const failure = (statusCode: number, retryAfterMs?: number) => ({
  statusCode,
  responseBody: "",
  latencyMs: 1,
  error: `HTTP ${statusCode}`,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe("nextStep", () => {
  it("acknowledges a success", () => {
    const step = nextStep({
      ...base,
      result: { statusCode: 200, responseBody: "", latencyMs: 1, error: "" },
    });
    expect(step.next).toEqual({ status: "success" });
    expect(step.decision.kind).toBe("ack");
  });

  it("NAKs a failure with the scheduled delay when it is short", () => {
    const step = nextStep({ ...base, result: failure(500) });
    expect(step.decision).toMatchObject({ kind: "nak", delayMs: 30_000 });
    expect(step.next).toMatchObject({ status: "retrying", parked: false, nextRetryAt: new Date(30_000) });
  });

  it("parks a retry due later than the NAK limit", () => {
    const step = nextStep({ ...base, roundAttempts: 3, result: failure(500) });
    expect(step.decision.kind).toBe("ack");
    expect(step.next).toMatchObject({ status: "retrying", parked: true, nextRetryAt: new Date(600_000) });
  });

  it("fails for good after the last attempt", () => {
    const step = nextStep({ ...base, roundAttempts: 4, result: failure(500) });
    expect(step.next).toEqual({ status: "failed" });
  });

  it("waits at least Retry-After on 429 and 503, capped at a day", () => {
    expect(nextStep({ ...base, result: failure(429, 90_000) }).next).toMatchObject({
      nextRetryAt: new Date(90_000),
    });
    expect(nextStep({ ...base, result: failure(503, 5_000) }).next).toMatchObject({
      nextRetryAt: new Date(30_000),
    });
    expect(nextStep({ ...base, result: failure(503, 10 * maxRetryAfterMs) }).next).toMatchObject({
      nextRetryAt: new Date(maxRetryAfterMs),
    });
    // Other statuses do not get to set the pace.
    expect(nextStep({ ...base, result: failure(500, 90_000) }).next).toMatchObject({
      nextRetryAt: new Date(30_000),
    });
  });

  it("stops and disables the endpoint on 410 Gone", () => {
    const step = nextStep({ ...base, result: failure(410) });
    expect(step.next).toEqual({ status: "failed" });
    expect(step.disableEndpoint).toBe(true);
  });

  it("does not retry a permanent failure", () => {
    expect(nextStep({ ...base, permanent: true, result: failure(0) }).next).toEqual({ status: "failed" });
  });
});
