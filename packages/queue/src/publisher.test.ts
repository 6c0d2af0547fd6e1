import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createDatabase } from "@piperelay/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobStream, deleteJobStream } from "../../../test/support/nats.js";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { natsUrl } from "../../../test/support/urls.js";
import { queueNames } from "./names.js";
import { createDeliveryPublisher } from "./publisher.js";

let db: SeededDatabase;
let nc: NatsConnection;
const names = queueNames(`publisher_${process.pid}_${Date.now()}`);

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1"] });
  nc = await connect({ servers: natsUrl() });
  await createJobStream(nc, names);
  await db.addMessage(
    "msg_1",
    ["dlv_a", "dlv_b", "dlv_c", "dlv_d"].map((id) => ({ id })),
  );
});
afterAll(async () => {
  await deleteJobStream(nc, names);
  await nc?.close();
  await db?.dispose();
});

const job = (deliveryId: string) => ({ deliveryId, applicationId: "app_1", endpointId: "ep_1", attempt: 1 });

async function enqueued(deliveryId: string): Promise<boolean> {
  const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
  return row.enqueuedAt !== null;
}

describe("a publisher that marks in the background", () => {
  it("answers once JetStream has the job, and settled() waits for the mark", async () => {
    const publisher = createDeliveryPublisher({ nc, pool: db.pool, names, markInBackground: true });
    // Another transaction holds the row, so the mark cannot be written yet.
    const locker = await db.pool.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM deliveries WHERE id = 'dlv_a' FOR UPDATE");
      expect(await publisher.publish([job("dlv_a")])).toBe(1);
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(1);

      let settled = false;
      const waiting = publisher.settled().then(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(settled).toBe(false);
      await locker.query("COMMIT");
      await waiting;
    } finally {
      locker.release();
    }
    expect(await enqueued("dlv_a")).toBe(true);
  });

  it("with markDelayMs, holds marks back and writes them together; settled() writes them at once", async () => {
    const publisher = createDeliveryPublisher({
      nc,
      pool: db.pool,
      names,
      markInBackground: true,
      markDelayMs: 60_000,
    });
    expect(await publisher.publish([job("dlv_c")])).toBe(1);
    expect(await publisher.publish([job("dlv_d")])).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([await enqueued("dlv_c"), await enqueued("dlv_d")]).toEqual([false, false]);
    await publisher.settled();
    expect([await enqueued("dlv_c"), await enqueued("dlv_d")]).toEqual([true, true]);
  });

  it("reports a mark that fails instead of failing the publish", async () => {
    const failures: number[] = [];
    const closed = createDatabase(db.url, { maxConnections: 1 });
    await closed.close();
    const publisher = createDeliveryPublisher({
      nc,
      pool: closed.pool,
      names,
      markInBackground: true,
      onMarkError: (_error, count) => failures.push(count),
    });
    await expect(publisher.publish([job("dlv_b")])).resolves.toBe(1);
    await publisher.settled();
    expect(failures).toEqual([1]);
    expect(await enqueued("dlv_b")).toBe(false);
  });
});
