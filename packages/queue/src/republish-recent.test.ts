import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobStream, deleteJobStream } from "../../../test/support/nats.js";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { natsUrl } from "../../../test/support/urls.js";
import { queueNames } from "./names.js";
import { createDeliveryPublisher } from "./publisher.js";
import { republishRecent } from "./republish-recent.js";

let db: SeededDatabase;
let nc: NatsConnection;
const names = queueNames(`republish_${process.pid}_${Date.now()}`);
// Short, so that the test can outlive it: then JetStream has forgotten the first publish.
const duplicateWindowMs = 1000;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1"] });
  nc = await connect({ servers: natsUrl() });
  await createJobStream(nc, names, { duplicateWindowMs });
  await db.addMessage(
    "msg_1",
    ["dlv_a", "dlv_b", "dlv_done", "dlv_old"].map((id) => ({
      id,
      status: id === "dlv_done" ? "success" : "pending",
    })),
  );
});
afterAll(async () => {
  await deleteJobStream(nc, names);
  await nc?.close();
  await db?.dispose();
});

/** The delivery ids of the jobs in the stream. */
async function jobsInStream(): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(names.stream);
  const ids: string[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(names.stream, { seq }).catch(() => null);
    if (message) ids.push((message.json() as { d: string }).d);
  }
  return ids.sort();
}

describe("republishRecent", () => {
  it("puts back the jobs JetStream lost, and no second copy of those it kept", async () => {
    const publisher = createDeliveryPublisher({ nc, pool: db.pool, names });
    const job = (deliveryId: string) => ({
      deliveryId,
      applicationId: "app_1",
      endpointId: "ep_1",
      attempt: 1,
    });
    await publisher.publish([job("dlv_a"), job("dlv_b"), job("dlv_done"), job("dlv_old")]);
    await db.prisma.delivery.update({
      where: { id: "dlv_old" },
      data: { enqueuedAt: new Date(Date.now() - 600_000) },
    });
    expect(await jobsInStream()).toEqual(["dlv_a", "dlv_b", "dlv_done", "dlv_old"]);

    // Within the duplicate window, republishing adds nothing: JetStream still has every job.
    await republishRecent(db.prisma, publisher);
    expect(await jobsInStream()).toEqual(["dlv_a", "dlv_b", "dlv_done", "dlv_old"]);

    // Once JetStream has forgotten the ids, it loses every job (as an OS crash can take unsynced
    // writes with it): the outstanding deliveries queued lately come back; dlv_done is finished
    // and dlv_old was queued long before.
    await new Promise((resolve) => setTimeout(resolve, duplicateWindowMs + 500));
    await (await jetstreamManager(nc)).streams.purge(names.stream);
    expect(await jobsInStream()).toEqual([]);
    expect(await republishRecent(db.prisma, publisher)).toBe(2);
    expect(await jobsInStream()).toEqual(["dlv_a", "dlv_b"]);
  });
});
