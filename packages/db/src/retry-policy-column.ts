import { Prisma } from "./gen/prisma/client.js";

/**
 * The `retry_policy` JSONB column of applications and endpoints: overrides of
 * the server's delivery settings. Each field left out is inherited.
 */
export interface StoredRetryPolicy {
  /** Delays before the 2nd, 3rd, … attempt, in ms. */
  schedule_ms?: number[];
  max_attempts?: number;
  timeout_ms?: number;
}

/** The value to write: SQL NULL when nothing is overridden. */
export function retryPolicyColumn(
  policy: StoredRetryPolicy | null,
): Prisma.InputJsonObject | typeof Prisma.DbNull {
  if (policy === null) return Prisma.DbNull;
  // Only defined keys: Prisma's JSON input type has no room for undefined.
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== undefined));
}

/**
 * Reads the column defensively: rows are written only through validated input,
 * but a hand-edited row must not crash the dispatcher, so anything malformed
 * counts as not set.
 */
export function readStoredRetryPolicy(value: unknown): StoredRetryPolicy {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const raw = value as Record<string, unknown>;
  const policy: StoredRetryPolicy = {};
  const schedule = raw.schedule_ms;
  if (Array.isArray(schedule) && schedule.length > 0 && schedule.every(isNonNegativeInteger)) {
    policy.schedule_ms = schedule;
  }
  if (isNonNegativeInteger(raw.max_attempts) && raw.max_attempts >= 1) policy.max_attempts = raw.max_attempts;
  if (isNonNegativeInteger(raw.timeout_ms) && raw.timeout_ms >= 1) policy.timeout_ms = raw.timeout_ms;
  return policy;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
