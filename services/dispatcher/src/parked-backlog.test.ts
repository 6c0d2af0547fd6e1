import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { parkedBacklog } from "./parked-backlog.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_parked", "ep_open", "ep_healthy"] });
});
afterAll(async () => {
  await db?.dispose();
});

describe("parkedBacklog", () => {
  it("is nothing while no circuit is open, whatever waits elsewhere", async () => {
    await db.addMessage("msg_healthy", [{ id: "dlv_h1", endpointId: "ep_healthy" }]);
    expect(await parkedBacklog(db.prisma)).toEqual({ endpoints: 0, deliveries: 0 });
  });

  it("counts the endpoints parked and their outstanding deliveries off JetStream", async () => {
    const until = new Date(Date.now() + 60_000);
    await db.prisma.endpoint.updateMany({
      where: { id: { in: ["ep_parked", "ep_open"] } },
      data: { circuitOpenUntil: until },
    });
    await db.addMessage("msg_parked", [
      { id: "dlv_p1", endpointId: "ep_parked", nextRetryAt: until },
      { id: "dlv_p2", endpointId: "ep_parked", nextRetryAt: until, status: "retrying" },
      // Not counted: finished, or its job still on JetStream.
      { id: "dlv_p3", endpointId: "ep_parked", status: "success" },
      { id: "dlv_p4", endpointId: "ep_parked", enqueuedAt: new Date() },
      { id: "dlv_o1", endpointId: "ep_open", nextRetryAt: until },
      { id: "dlv_h2", endpointId: "ep_healthy" },
    ]);
    expect(await parkedBacklog(db.prisma)).toEqual({ endpoints: 2, deliveries: 3 });
  });
});
