import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { PrismaClient } from "@piperelay/db";
import { GetStatsResponseSchema, type HealthService } from "@piperelay/proto";
import { applicationScope } from "@piperelay/rpc";
import { computeStats } from "../stats.js";

/**
 * HealthService.GetStats: the caller's application, or all of them for the
 * admin. (CheckHealth is served by every process, from @piperelay/runtime.)
 */
export function createStatsService(deps: {
  prisma: PrismaClient;
}): Pick<ServiceImpl<typeof HealthService>, "getStats"> {
  return {
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
