import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { version } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";
import {
  CheckHealthResponseSchema,
  type DependencyHealth,
  DependencyHealthSchema,
  GetStatsResponseSchema,
  type HealthService,
} from "@piperelay/proto";
import { applicationScope, fail } from "@piperelay/rpc";
import { computeStats } from "../stats.js";

/** One dependency the health check probes; `check` rejects when it is down. */
export interface HealthCheck {
  /** As the API shows it: `postgres` or `nats`. */
  name: string;
  check(): Promise<void>;
}

export interface HealthServiceDeps {
  checks: readonly HealthCheck[];
  prisma: PrismaClient;
  /** A check that has not answered by then counts as down. @defaultValue 3000 */
  checkTimeoutMs?: number;
  /** Called with each failing check's reason, which the response leaves out; e.g. to log it. */
  onCheckFailure?: (name: string, error: unknown) => void;
}

/**
 * HealthService. CheckHealth runs every check concurrently and answers
 * UNAVAILABLE (HTTP 503) naming the dependencies that are down; the reasons
 * stay out of the response. GetStats shows the caller's application, or all
 * of them for the admin.
 */
export function createHealthService(deps: HealthServiceDeps): ServiceImpl<typeof HealthService> {
  const timeoutMs = deps.checkTimeoutMs ?? 3000;
  return {
    async checkHealth() {
      const results = await Promise.all(deps.checks.map((check) => runCheck(check, timeoutMs, deps.onCheckFailure)));
      const down = results.filter((result) => result.status !== "ok");
      if (down.length > 0) fail({ outcome: "unavailable", dependency: down.map((result) => result.name).join(", ") });
      return create(CheckHealthResponseSchema, { status: "ok", version, checks: results });
    },

    async getStats(_req, ctx) {
      const stats = await computeStats(deps.prisma, applicationScope(ctx));
      return create(GetStatsResponseSchema, {
        messagesToday: stats.messagesToday,
        messagesThisWeek: stats.messagesThisWeek,
        messagesThisMonth: stats.messagesThisMonth,
        deliveriesSucceeded: stats.deliveriesSucceeded,
        deliveriesFailed: stats.deliveriesFailed,
        deliveriesPending: stats.deliveriesPending,
        successRate: stats.successRate,
        avgLatencyMs: stats.avgLatencyMs,
        p95LatencyMs: stats.p95LatencyMs,
        activeEndpoints: stats.activeEndpoints,
        generatedAt: timestampFromDate(stats.generatedAt),
      });
    },
  };
}

async function runCheck(
  check: HealthCheck,
  timeoutMs: number,
  onFailure: HealthServiceDeps["onCheckFailure"],
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
