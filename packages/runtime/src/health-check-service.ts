import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { version } from "@piperelay/core";
import { CheckHealthResponseSchema, DependencyHealthSchema, type HealthService } from "@piperelay/proto";
import { fail } from "@piperelay/rpc";
import type { DependencyCheck } from "./dependency-checks.js";

/** HealthService.CheckHealth: every process serves it; UNAVAILABLE (503) when a dependency is down. */
export function createHealthCheckService(
  checks: DependencyCheck[],
): Pick<ServiceImpl<typeof HealthService>, "checkHealth"> {
  return {
    async checkHealth() {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await check();
            return create(DependencyHealthSchema, { name, status: "ok" });
          } catch (error) {
            return create(DependencyHealthSchema, { name, status: "down", error: (error as Error).message });
          }
        }),
      );
      const down = results.filter((r) => r.status !== "ok");
      if (down.length > 0) fail({ outcome: "unavailable", dependency: down.map((d) => d.name).join(" and ") });
      return create(CheckHealthResponseSchema, { status: "ok", version, checks: results });
    },
  };
}
