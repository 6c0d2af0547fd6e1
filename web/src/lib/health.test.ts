import { describe, expect, it } from "vitest";
import { endpointHealth } from "./health.js";

describe("endpointHealth", () => {
  it("is green from 95% of recent attempts succeeding, yellow from 80%, red below", () => {
    expect(endpointHealth({ isActive: true, succeeded: 95, failed: 5 }).level).toBe("healthy");
    expect(endpointHealth({ isActive: true, succeeded: 94, failed: 6 }).level).toBe("degraded");
    expect(endpointHealth({ isActive: true, succeeded: 80, failed: 20 }).level).toBe("degraded");
    expect(endpointHealth({ isActive: true, succeeded: 79, failed: 21 }).level).toBe("failing");
  });

  it("says so when there were no attempts, or the endpoint is disabled", () => {
    expect(endpointHealth({ isActive: true, succeeded: 0, failed: 0 })).toEqual({
      level: "idle",
      label: "No recent deliveries",
      successRate: undefined,
    });
    expect(endpointHealth({ isActive: false, succeeded: 0, failed: 9 }).level).toBe("disabled");
  });
});
