/** How an endpoint is doing, from its recent attempts. */
export type HealthLevel = "healthy" | "degraded" | "failing" | "idle" | "disabled";

export interface Health {
  level: HealthLevel;
  /** Said next to the dot and to screen readers. */
  label: string;
  /** Attempts that succeeded over all attempts, when there were any. */
  successRate: number | undefined;
}

/** Green at 95% or more of recent attempts succeeding, yellow from 80%, red below. */
export const healthThresholds = { healthy: 0.95, degraded: 0.8 } as const;

/** The health of an endpoint from its attempts over the recent window (the dashboard uses 24 hours). */
export function endpointHealth(input: { isActive: boolean; succeeded: number; failed: number }): Health {
  const total = input.succeeded + input.failed;
  const successRate = total === 0 ? undefined : input.succeeded / total;
  if (!input.isActive) return { level: "disabled", label: "Disabled", successRate };
  if (successRate === undefined) return { level: "idle", label: "No recent deliveries", successRate };
  if (successRate >= healthThresholds.healthy) return { level: "healthy", label: "Healthy", successRate };
  if (successRate >= healthThresholds.degraded) return { level: "degraded", label: "Degraded", successRate };
  return { level: "failing", label: "Failing", successRate };
}
