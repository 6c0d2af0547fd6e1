import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { version } from "@piperelay/core";
import {
  CheckHealthResponseSchema,
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
}

/**
 * HealthService.CheckHealth, served by every process: runs the checks
 * concurrently and answers UNAVAILABLE (HTTP 503) naming the dependencies that
 * are down.
 */
export function createHealthCheckService(
  checks: readonly DependencyCheck[],
  options: HealthCheckOptions = {},
): Pick<ServiceImpl<typeof HealthService>, "checkHealth"> {
  const timeoutMs = options.checkTimeoutMs ?? 3000;
  return {
    async checkHealth() {
      const results = await Promise.all(
        checks.map((check) => runCheck(check, timeoutMs, options.onCheckFailure)),
      );
      const down = results.filter((result) => result.status !== "ok");
      if (down.length > 0) {
        fail({ outcome: "unavailable", dependency: down.map((result) => result.name).join(", ") });
      }
      return create(CheckHealthResponseSchema, { status: "ok", version, checks: results });
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
