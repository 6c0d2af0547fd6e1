import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { version } from "@piperelay/core";
import {
  CheckHealthResponseSchema,
  CheckLivenessResponseSchema,
  CheckReadinessResponseSchema,
  type DependencyHealth,
  DependencyHealthSchema,
  type HealthService,
} from "@piperelay/proto";
import { fail } from "@piperelay/rpc";
import type { DependencyCheck } from "./dependency-checks.js";

export interface HealthCheckOptions {
  /** A check that has not answered by then counts as down. @defaultValue 3000 */
  checkTimeoutMs?: number;
  /** Called with each failing check's reason, which the error response leaves out; e.g. to log it. */
  onCheckFailure?: (name: string, error: unknown) => void;
  /** True once the process has begun to stop; readiness then fails. @defaultValue never */
  isStopping?: () => boolean;
}

/**
 * HealthService's probes, served by every process. CheckHealth and
 * CheckReadiness run the checks concurrently and answer UNAVAILABLE (HTTP 503)
 * naming the dependencies that are down; readiness also fails while the
 * process stops. CheckLiveness checks nothing: it answers while the event loop
 * runs.
 */
export function createHealthCheckService(
  checks: readonly DependencyCheck[],
  options: HealthCheckOptions = {},
): Pick<ServiceImpl<typeof HealthService>, "checkHealth" | "checkLiveness" | "checkReadiness"> {
  const timeoutMs = options.checkTimeoutMs ?? 3000;
  async function checkAll(): Promise<DependencyHealth[]> {
    const results = await Promise.all(
      checks.map((check) => runCheck(check, timeoutMs, options.onCheckFailure)),
    );
    const down = results.filter((result) => result.status !== "ok");
    if (down.length > 0) {
      fail({ outcome: "unavailable", dependency: down.map((result) => result.name).join(", ") });
    }
    return results;
  }
  return {
    async checkHealth() {
      return create(CheckHealthResponseSchema, { status: "ok", version, checks: await checkAll() });
    },
    checkLiveness() {
      return create(CheckLivenessResponseSchema, { status: "ok", version, uptimeSeconds: process.uptime() });
    },
    async checkReadiness() {
      if (options.isStopping?.())
        fail({ outcome: "unavailable", dependency: "this process, which is shutting down," });
      return create(CheckReadinessResponseSchema, { status: "ready", version, checks: await checkAll() });
    },
  };
}

async function runCheck(
  check: DependencyCheck,
  timeoutMs: number,
  onFailure: HealthCheckOptions["onCheckFailure"],
): Promise<DependencyHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return create(DependencyHealthSchema, { name: check.name, status: "ok" });
  } catch (error) {
    onFailure?.(check.name, error);
    const reason = error instanceof Error ? error.message : String(error);
    return create(DependencyHealthSchema, { name: check.name, status: "down", error: reason });
  } finally {
    clearTimeout(timer);
  }
}
