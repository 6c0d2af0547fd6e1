import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { type NatsServer, startNatsServer } from "../support/nats-server.js";
import { eventually } from "../support/poll.js";
import { startStack, type TestStack } from "../support/stack.js";

let nats: NatsServer;
let stack: TestStack;

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({ NATS_URL: nats.url });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await nats?.dispose();
});

const get = (path: string) => restClient(stack.baseUrl)("GET", path);

describe("liveness and readiness", () => {
  it("are both OK, readiness listing each dependency, while PostgreSQL and NATS are up", async () => {
    const live = await get("/api/v1/health/live");
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: "ok", version: expect.any(String) });
    const ready = await get("/api/v1/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: "ready",
      checks: [
        { name: "postgres", status: "ok" },
        { name: "nats", status: "ok" },
      ],
    });
  });

  it("answers not ready (503) while NATS is down, stays live (200), and is ready again once NATS is back", async () => {
    await nats.kill();
    try {
      const notReady = await eventually(async () => {
        const res = await get("/api/v1/health/ready");
        return res.status === 503 ? res : undefined;
      }, 15_000);
      expect(notReady.body).toMatchObject({ code: "unavailable", message: expect.stringContaining("nats") });
      expect(String((notReady.body as { message: string }).message)).not.toContain("postgres");

      const started = Date.now();
      const live = await get("/api/v1/health/live");
      expect(live.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      // The compatible health check says the same as readiness.
      expect((await get("/api/v1/health")).status).toBe(503);
    } finally {
      await nats.start();
    }
    await eventually(
      async () => ((await get("/api/v1/health/ready")).status === 200 ? true : undefined),
      30_000,
    );
  }, 60_000);

  it("are served over Connect too, without credentials", async () => {
    const response = await fetch(`${stack.baseUrl}/piperelay.v1.HealthService/CheckLiveness`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });
});
