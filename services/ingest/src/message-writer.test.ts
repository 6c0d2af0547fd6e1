import type { Pool } from "@piperelay/db";
import { FailureError } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingPool, interceptQueries } from "../../../test/support/counting-pool.js";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createMessageWriter, type NewMessage, type WrittenMessage } from "./message-writer.js";

/** A writer of one message per request. */
function singleWriter() {
  const write = createMessageWriter(db.pool);
  return async (message: NewMessage): Promise<WrittenMessage> => {
    const [written] = await write([message]);
    if (!written) throw new Error("no result");
    return written;
  };
}

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_all"], maxConnections: 4 });
  await db.prisma.application.create({
    data: { id: "app_2", name: "b", apiKeyHash: "h2", apiKeyPrefix: "p" },
  });
  const endpoint = (id: string, applicationId: string, eventTypes: string[], isActive = true) =>
    db.prisma.endpoint.create({
      data: { id, applicationId, url: "http://x", secret: "s", eventTypes, isActive },
    });
  await endpoint("ep_orders", "app_1", ["order.*"]);
  await endpoint("ep_paid", "app_1", ["order.paid"]);
  await endpoint("ep_off", "app_1", [], false);
  await endpoint("ep_other_app", "app_2", []);
});
afterAll(async () => {
  await db?.dispose();
});

function message(eventType: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    applicationId: "app_1",
    message: { eventType, payload: `{"type":"${eventType}"}`, idempotencyKey: undefined },
    traceContext: undefined,
    ...overrides,
  };
}

/** `pool`, with `hook` run before each statement that stores messages; a hook that throws fails it. */
function beforeEachStore(pool: Pool, hook: () => Promise<void>): Pool {
  return interceptQueries(pool, (config) =>
    (config as { name?: string })?.name === "ingest.store-messages" ? hook() : undefined,
  );
}

function targets(written: WrittenMessage): string[] {
  return written.stored ? written.deliveries.map((d) => d.endpointId) : [];
}

describe("createMessageWriter", () => {
  it("matches each message of a concurrent group against its own application and event type", async () => {
    const write = singleWriter();
    const written = await Promise.all(
      [
        message("order.paid"),
        message("order.refunded"),
        message("user.created"),
        message("order.paid"),
        message("order.paid", { applicationId: "app_2" }),
      ].map(write),
    );
    expect(written.map(targets)).toEqual([
      ["ep_all", "ep_orders", "ep_paid"],
      ["ep_all", "ep_orders"],
      ["ep_all"],
      ["ep_all", "ep_orders", "ep_paid"],
      ["ep_other_app"],
    ]);
    const ids = written.map((w) => (w.stored ? w.id : ""));
    expect(new Set(ids).size).toBe(5);
    const stored = await db.prisma.message.findMany({ where: { id: { in: ids } } });
    expect(stored.map((m) => m.endpointsTargeted).sort()).toEqual([1, 1, 2, 3, 3]);
    expect(await db.prisma.delivery.count({ where: { messageId: { in: ids } } })).toBe(10);
  });

  it("parks a delivery to an endpoint whose backlog is parked behind an open circuit, and does not queue it", async () => {
    await db.prisma.application.create({
      data: { id: "app_parked", name: "p", apiKeyHash: "h4", apiKeyPrefix: "p" },
    });
    const until = new Date(Date.now() + 60_000);
    await db.prisma.endpoint.createMany({
      data: [
        { id: "ep_up", applicationId: "app_parked", url: "http://x", secret: "s" },
        { id: "ep_down", applicationId: "app_parked", url: "http://x", secret: "s", circuitOpenUntil: until },
      ],
    });
    const written = await singleWriter()(message("order.paid", { applicationId: "app_parked" }));
    expect(written).toMatchObject({ stored: true, endpointsTargeted: 2 });
    expect(targets(written)).toEqual(["ep_up"]);
    const deliveries = await db.prisma.delivery.findMany({
      where: { messageId: written.stored ? written.id : "" },
      orderBy: { endpointId: "asc" },
    });
    expect(deliveries.map((d) => [d.endpointId, d.status, d.enqueuedAt])).toEqual([
      ["ep_down", "pending", null],
      ["ep_up", "pending", null],
    ]);
    expect(deliveries[0]?.nextRetryAt?.getTime()).toBe(until.getTime());
    expect(deliveries[1]?.nextRetryAt?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("stores a message nobody subscribes to as delivered", async () => {
    await db.prisma.application.create({
      data: { id: "app_empty", name: "e", apiKeyHash: "h3", apiKeyPrefix: "p" },
    });
    const written = await singleWriter()(message("x.y", { applicationId: "app_empty" }));
    expect(written).toMatchObject({ stored: true, status: "delivered", deliveries: [] });
  });

  it("stores one of concurrent messages with the same idempotency key", async () => {
    const write = singleWriter();
    const keyed = (key: string) =>
      message("order.paid", { message: { eventType: "order.paid", payload: "{}", idempotencyKey: key } });
    const written = await Promise.all([keyed("k-1"), keyed("k-1"), keyed("k-1"), keyed("k-2")].map(write));
    // The first two race on separate connections; either may win.
    expect(written.slice(0, 3).filter((w) => w.stored)).toHaveLength(1);
    expect(written[3]?.stored).toBe(true);
    expect(await db.prisma.message.count({ where: { idempotencyKey: "k-1" } })).toBe(1);
  });

  it("fails only the message that cannot be stored, not the others of its group", async () => {
    const write = singleWriter();
    // The first two go at once, one each; the next three wait and go together.
    const results = await Promise.allSettled([
      write(message("order.paid")),
      write(message("order.paid")),
      write(message("order.paid")),
      write(message("order.paid", { applicationId: "app_missing" })),
      write(message("order.paid")),
    ]);
    // A message of an application that is gone (say, deleted meanwhile) cannot be stored.
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
  });

  it("stores a request's messages all together or not at all", async () => {
    const unstorable = {
      eventType: "order.paid",
      payload: null as unknown as string,
      idempotencyKey: undefined,
    };
    const write = createMessageWriter(db.pool);
    const before = await db.prisma.message.count();
    // The first two requests go at once; the next two wait and are written in one statement.
    const [, , good, bad] = await Promise.allSettled([
      write([message("order.paid")]),
      write([message("order.paid")]),
      write([message("order.paid"), message("user.created")]),
      // A row PostgreSQL refuses (no payload) fails its whole request.
      write([message("order.paid"), message("order.paid", { message: { ...unstorable } })]),
    ]);
    expect(good?.status === "fulfilled" && good.value.map(targets)).toEqual([
      ["ep_all", "ep_orders", "ep_paid"],
      ["ep_all"],
    ]);
    expect(bad?.status).toBe("rejected");
    expect(await db.prisma.message.count()).toBe(before + 4);
  });

  it("refuses a request whose messages belong to more than one application", async () => {
    await expect(
      createMessageWriter(db.pool)([
        message("order.paid"),
        message("order.paid", { applicationId: "app_2" }),
      ]),
    ).rejects.toThrow(/one application/);
  });

  describe("with the subscribers cached", () => {
    it("matches an application's event type once, and again only after its endpoints change", async () => {
      await db.prisma.application.create({
        data: { id: "app_cached", name: "c", apiKeyHash: "h5", apiKeyPrefix: "p" },
      });
      const create = (id: string, eventTypes: string[]) =>
        db.prisma.endpoint.create({
          data: { id, applicationId: "app_cached", url: "http://x", secret: "s", eventTypes },
        });
      await create("ep_c1", ["order.paid"]);
      const counting = countingPool(db.pool);
      const write = createMessageWriter(counting.pool);
      const send = async () => {
        const [written] = await write([message("order.paid", { applicationId: "app_cached" })]);
        return written ? targets(written) : [];
      };

      expect(await send()).toEqual(["ep_c1"]);
      const matchedAndStored = counting.statements();
      expect(matchedAndStored).toBe(2);
      expect(await send()).toEqual(["ep_c1"]);
      // Only the statement that stores: the subscribers came from the cache.
      expect(counting.statements() - matchedAndStored).toBe(1);

      // Each change reaches the very next message, though the old subscribers were cached.
      await create("ep_c2", ["order.*"]);
      expect(await send()).toEqual(["ep_c1", "ep_c2"]);
      await db.prisma.endpoint.update({ where: { id: "ep_c1" }, data: { isActive: false } });
      expect(await send()).toEqual(["ep_c2"]);
      await db.prisma.endpoint.update({ where: { id: "ep_c2" }, data: { eventTypes: ["user.*"] } });
      expect(await send()).toEqual([]);
      await db.prisma.endpoint.update({ where: { id: "ep_c2" }, data: { eventTypes: [] } });
      expect(await send()).toEqual(["ep_c2"]);
      await db.prisma.endpoint.delete({ where: { id: "ep_c2" } });
      expect(await send()).toEqual([]);
    });

    it("parks a delivery to an endpoint whose circuit opened after its subscribers were cached", async () => {
      await db.prisma.application.create({
        data: { id: "app_opening", name: "o", apiKeyHash: "h6", apiKeyPrefix: "p" },
      });
      await db.prisma.endpoint.create({
        data: { id: "ep_opening", applicationId: "app_opening", url: "http://x", secret: "s" },
      });
      const write = singleWriter();
      const send = () => write(message("order.paid", { applicationId: "app_opening" }));
      expect(targets(await send())).toEqual(["ep_opening"]);
      const until = new Date(Date.now() + 60_000);
      await db.prisma.endpoint.update({ where: { id: "ep_opening" }, data: { circuitOpenUntil: until } });
      const parked = await send();
      expect(parked).toMatchObject({ stored: true, endpointsTargeted: 1 });
      expect(targets(parked)).toEqual([]);
      const [delivery] = await db.prisma.delivery.findMany({
        where: { messageId: parked.stored ? parked.id : "" },
      });
      expect(delivery?.nextRetryAt?.getTime()).toBe(until.getTime());
    });

    it("gives up with ABORTED, storing nothing, when the endpoints change before every try", async () => {
      await db.prisma.application.create({
        data: { id: "app_restless", name: "r", apiKeyHash: "h8", apiKeyPrefix: "p" },
      });
      // An endpoint is added just before each statement that stores: every match is stale by then.
      let added = 0;
      const restless = beforeEachStore(db.pool, async () => {
        await db.pool.query(
          `INSERT INTO endpoints (id, application_id, url, secret) VALUES ('ep_restless_${++added}', 'app_restless', 'http://x', 's')`,
        );
      });
      const write = createMessageWriter(restless);
      const failure = await write([message("order.paid", { applicationId: "app_restless" })]).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(FailureError);
      expect((failure as FailureError).failure).toMatchObject({ outcome: "aborted" });
      expect(added).toBe(5);
      expect(await db.prisma.message.count({ where: { applicationId: "app_restless" } })).toBe(0);
    });

    it("stores a request once when another of its group, matched too early, fails when tried again", async () => {
      await db.prisma.application.create({
        data: { id: "app_changing", name: "g", apiKeyHash: "h7", apiKeyPrefix: "p" },
      });
      await db.prisma.endpoint.create({
        data: { id: "ep_changing", applicationId: "app_changing", url: "http://x", secret: "s" },
      });
      // Fails the third statement that stores: the one that tries the stale request again.
      let stores = 0;
      const failing = beforeEachStore(db.pool, async () => {
        if (++stores === 3) throw new Error("connection lost");
      });
      const write = createMessageWriter(failing);
      const changing = message("order.paid", { applicationId: "app_changing" });
      await write([changing]);
      // Its subscribers are cached; a new endpoint makes that match stale.
      await db.prisma.endpoint.create({
        data: { id: "ep_changing_2", applicationId: "app_changing", url: "http://x", secret: "s" },
      });
      const before = await db.prisma.message.count({ where: { applicationId: "app_empty" } });
      const [stale, fine] = await Promise.allSettled([
        write([changing]),
        write([message("x.y", { applicationId: "app_empty" })]),
      ]);
      expect(stale.status).toBe("rejected");
      expect(fine.status).toBe("fulfilled");
      expect(await db.prisma.message.count({ where: { applicationId: "app_empty" } })).toBe(before + 1);
    });
  });
});
