import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { version } from "@piperelay/core";
import { HealthService } from "@piperelay/proto";
import { createErrorInterceptor } from "@piperelay/rpc";
import { describe, expect, it } from "vitest";
import type { DependencyCheck } from "./dependency-checks.js";
import { createHealthCheckService, type HealthCheckOptions } from "./health-check-service.js";

function healthClient(checks: DependencyCheck[], options: HealthCheckOptions = {}) {
  const transport = createRouterTransport(
    (router) => router.service(HealthService, createHealthCheckService(checks, options)),
    {
      router: { interceptors: [createErrorInterceptor(() => {})] },
    },
  );
  return createClient(HealthService, transport);
}

const ok = (name: string): DependencyCheck => ({ name, check: async () => {} });

describe("CheckHealth", () => {
  it("answers ok with the version and each dependency when all checks pass", async () => {
    const response = await healthClient([ok("postgres"), ok("nats")]).checkHealth({});
    expect(response.status).toBe("ok");
    expect(response.version).toBe(version);
    expect(response.checks.map((check) => [check.name, check.status])).toEqual([
      ["postgres", "ok"],
      ["nats", "ok"],
    ]);
  });

  it("answers Unavailable naming the failing dependency, without its internal reason", async () => {
    const failures: string[] = [];
    const nats: DependencyCheck = {
      name: "nats",
      check: async () => {
        throw new Error("connection refused 10.0.0.7:4222");
      },
    };
    const error = await healthClient([ok("postgres"), nats], {
      onCheckFailure: (name) => failures.push(name),
    })
      .checkHealth({})
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).rawMessage).toContain("nats");
    expect((error as ConnectError).rawMessage).not.toContain("postgres");
    expect((error as ConnectError).rawMessage).not.toContain("10.0.0.7");
    expect(failures).toEqual(["nats"]);
  });

  it("counts a check that does not answer in time as down", async () => {
    const hanging: DependencyCheck = { name: "nats", check: () => new Promise(() => {}) };
    const error = await healthClient([ok("postgres"), hanging], { checkTimeoutMs: 50 })
      .checkHealth({})
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
  });
});

describe("CheckLiveness", () => {
  it("answers ok without running any dependency check", async () => {
    let ran = false;
    const down: DependencyCheck = {
      name: "postgres",
      check: async () => {
        ran = true;
        throw new Error("down");
      },
    };
    const response = await healthClient([down]).checkLiveness({});
    expect(response.status).toBe("ok");
    expect(response.version).toBe(version);
    expect(ran).toBe(false);
  });
});

describe("CheckReadiness", () => {
  it("answers ready with each dependency when all checks pass", async () => {
    const response = await healthClient([ok("postgres"), ok("nats")]).checkReadiness({});
    expect(response.status).toBe("ready");
    expect(response.checks.map((check) => [check.name, check.status])).toEqual([
      ["postgres", "ok"],
      ["nats", "ok"],
    ]);
  });

  it("answers Unavailable while the process is stopping, even with every dependency up", async () => {
    const error = await healthClient([ok("postgres"), ok("nats")], { isStopping: () => true })
      .checkReadiness({})
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).rawMessage).toContain("shutting down");
  });
});
