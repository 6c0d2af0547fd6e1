import { createLogger } from "@piperelay/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createEndpointHealth } from "./endpoint-health.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1", "ep_2"] });
});
afterAll(async () => {
  await db?.dispose();
});

describe("endpoint health", () => {
  const health = () =>
    createEndpointHealth({
      prisma: db.prisma,
      logger: createLogger({ level: "silent" }),
      disableAfterMs: 0,
      operationalWebhookUrl: "",
    });
  const endpoint = (id: string, state: { failingSince: Date | null; circuitOpen: boolean }) => ({
    endpointId: id,
    applicationId: "app_1",
    url: "http://x",
    ...state,
  });

  it("starts a run of failures, and a success ends it and releases a parked backlog", async () => {
    await health().recordOutcome(endpoint("ep_1", { failingSince: null, circuitOpen: false }), false);
    const until = new Date(Date.now() + 60_000);
    await db.prisma.endpoint.update({ where: { id: "ep_1" }, data: { circuitOpenUntil: until } });
    await db.prisma.message.create({
      data: { id: "msg_1", applicationId: "app_1", eventType: "x", payload: "{}" },
    });
    await db.prisma.delivery.create({
      data: {
        id: "dlv_parked",
        messageId: "msg_1",
        applicationId: "app_1",
        endpointId: "ep_1",
        nextRetryAt: until,
      },
    });
    const failing = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_1" } });
    expect(failing.failingSince).not.toBeNull();
    await health().recordOutcome(
      endpoint("ep_1", { failingSince: failing.failingSince, circuitOpen: true }),
      true,
    );
    const healthy = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_1" } });
    expect([healthy.failingSince, healthy.circuitOpenUntil]).toEqual([null, null]);
    // Its parked delivery comes due now, not when the park would have ended.
    const parked = await db.prisma.delivery.findUniqueOrThrow({ where: { id: "dlv_parked" } });
    expect(parked.nextRetryAt!.getTime()).toBeLessThan(Date.now() + 1000);
  });

  it("releases a backlog parked after an earlier success had already ended the run of failures", async () => {
    await db.prisma.endpoint.update({
      where: { id: "ep_2" },
      data: { circuitOpenUntil: new Date(Date.now() + 60_000) },
    });
    await health().recordOutcome(endpoint("ep_2", { failingSince: null, circuitOpen: true }), true);
    expect(
      (await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_2" } })).circuitOpenUntil,
    ).toBeNull();
  });

  it("ends a park once when several attempts succeed at once", async () => {
    const lines: string[] = [];
    const watched = createEndpointHealth({
      prisma: db.prisma,
      logger: createLogger({ level: "info", destination: { write: (line: string) => lines.push(line) } }),
      disableAfterMs: 0,
      operationalWebhookUrl: "",
    });
    await db.prisma.endpoint.update({
      where: { id: "ep_2" },
      data: { circuitOpenUntil: new Date(Date.now() - 1000), failingSince: new Date() },
    });
    const back = endpoint("ep_2", { failingSince: new Date(), circuitOpen: true });
    await Promise.all([watched.recordOutcome(back, true), watched.recordOutcome(back, true)]);
    expect(lines.filter((line) => line.includes("parked backlog released"))).toHaveLength(1);
    const cleared = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_2" } });
    expect([cleared.failingSince, cleared.circuitOpenUntil]).toEqual([null, null]);
  });
});
