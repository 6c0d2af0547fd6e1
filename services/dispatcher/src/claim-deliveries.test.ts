import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingPool } from "../../../test/support/counting-pool.js";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { type ClaimResult, claimDeliveries, createDeliveryClaimer } from "./claim-deliveries.js";

let db: SeededDatabase;
const settings = { defaultTimeoutMs: 10_000, holdExtraMs: 30_000 };

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1", "ep_slow"] });
  await db.prisma.application.update({
    where: { id: "app_1" },
    data: { retryPolicy: { timeout_ms: 20_000 } },
  });
  await db.prisma.endpoint.update({
    where: { id: "ep_slow" },
    data: { retryPolicy: { timeout_ms: 60_000 } },
  });
  await db.prisma.application.create({
    data: { id: "app_2", name: "b", apiKeyHash: "h2", apiKeyPrefix: "p" },
  });
  await db.prisma.endpoint.create({
    data: { id: "ep_2", applicationId: "app_2", url: "http://y", secret: "s" },
  });
  await db.prisma.message.createMany({
    data: [
      { id: "msg_1", applicationId: "app_1", eventType: "x", payload: '{"n":1}', endpointsTargeted: 2 },
      { id: "msg_2", applicationId: "app_2", eventType: "x", payload: "{}", endpointsTargeted: 1 },
    ],
  });
});
afterAll(async () => {
  await db?.dispose();
});

let seq = 0;
/** Creates a delivery of msg_1 (or msg_2 for ep_2) and returns its id. */
async function delivery(
  data: {
    endpointId?: string;
    status?: string;
    nextRetryAt?: Date | null;
    lockedUntil?: Date | null;
    enqueuedAt?: Date | null;
  } = {},
): Promise<string> {
  const id = `dlv_${String(seq++).padStart(4, "0")}`;
  const endpointId = data.endpointId ?? "ep_1";
  const other = endpointId === "ep_2";
  await db.prisma.delivery.create({
    data: {
      id,
      messageId: other ? "msg_2" : "msg_1",
      applicationId: other ? "app_2" : "app_1",
      ...data,
      endpointId,
    },
  });
  return id;
}

/** The claim's remaining length in ms, as stored. */
async function heldForMs(id: string): Promise<number> {
  const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id } });
  return row.lockedUntil!.getTime() - Date.now();
}

const kinds = (results: readonly ClaimResult[]) => results.map((r) => r.kind);

describe("claimDeliveries", () => {
  it("claims due deliveries with what their attempts need, in the order asked", async () => {
    const a = await delivery();
    const b = await delivery({ endpointId: "ep_2" });
    const results = await claimDeliveries(db.pool, [b, a], settings);
    expect(kinds(results)).toEqual(["claimed", "claimed"]);
    const [first, second] = results.map((r) => (r.kind === "claimed" ? r.delivery : undefined));
    expect(first).toMatchObject({ id: b, messageId: "msg_2", endpointId: "ep_2", applicationId: "app_2" });
    expect(second).toMatchObject({
      id: a,
      messageId: "msg_1",
      endpointId: "ep_1",
      applicationId: "app_1",
      attemptCount: 0,
      url: "http://x",
      payload: '{"n":1}',
      endpointsTargeted: 2,
      isActive: true,
      circuitOpen: false,
      applicationRetryPolicy: { timeout_ms: 20_000 },
      endpointRetryPolicy: {},
    });
  });

  it("holds each claim for its own attempt's timeout: the endpoint's, the application's or the default", async () => {
    const own = await delivery({ endpointId: "ep_slow" });
    const app = await delivery({ endpointId: "ep_1" });
    const none = await delivery({ endpointId: "ep_2" });
    expect(kinds(await claimDeliveries(db.pool, [own, app, none], settings))).toEqual([
      "claimed",
      "claimed",
      "claimed",
    ]);
    const expected = { [own]: 60_000, [app]: 20_000, [none]: 10_000 };
    for (const [id, timeoutMs] of Object.entries(expected)) {
      const held = await heldForMs(id);
      expect(held).toBeGreaterThan(timeoutMs + settings.holdExtraMs - 5000);
      expect(held).toBeLessThanOrEqual(timeoutMs + settings.holdExtraMs);
    }
  });

  it("claims an id given twice once: its other jobs are told it is busy", async () => {
    const id = await delivery();
    const other = await delivery();
    const results = await claimDeliveries(db.pool, [id, other, id, id], settings);
    expect(kinds(results)).toEqual(["claimed", "claimed", "busy", "busy"]);
    expect(results[2]).toEqual({ kind: "busy", retryInMs: 5000 });
  });

  it("tells finished, deleted and not yet due deliveries apart from ones claimed elsewhere", async () => {
    const done = await delivery({ status: "success" });
    const later = await delivery({ status: "retrying", nextRetryAt: new Date(Date.now() + 60_000) });
    const soon = await delivery({ status: "retrying", nextRetryAt: new Date(Date.now() + 1000) });
    const held = await delivery({ lockedUntil: new Date(Date.now() + 3000) });
    const lapsed = await delivery({ lockedUntil: new Date(Date.now() - 1000) });
    const results = await claimDeliveries(db.pool, [done, later, "dlv_gone", held, soon, lapsed], settings);
    expect(kinds(results)).toEqual(["stale", "stale", "stale", "busy", "claimed", "claimed"]);
    const busy = results[3] as Extract<ClaimResult, { kind: "busy" }>;
    expect(busy.retryInMs).toBeGreaterThan(1000);
    expect(busy.retryInMs).toBeLessThanOrEqual(3000);
  });

  it("brings a job back when its delivery is due if JetStream is meant to hold the delivery's job", async () => {
    // A NAK-delayed retry whose NAK was lost: JetStream redelivers it after the ack wait, early.
    const queued = await delivery({
      status: "retrying",
      nextRetryAt: new Date(Date.now() + 60_000),
      enqueuedAt: new Date(),
    });
    // Parked in PostgreSQL: the outbox relay publishes it when due, so this job is a spare.
    const parked = await delivery({ status: "retrying", nextRetryAt: new Date(Date.now() + 60_000) });
    const [early, stale] = await claimDeliveries(db.pool, [queued, parked], settings);
    expect(stale).toEqual({ kind: "stale" });
    expect(early?.kind).toBe("early");
    const { retryInMs } = early as Extract<ClaimResult, { kind: "early" }>;
    expect(retryInMs).toBeGreaterThan(55_000);
    expect(retryInMs).toBeLessThanOrEqual(60_000);
  });
});

describe("createDeliveryClaimer", () => {
  it("claims many concurrent jobs in a few statements, each delivery once", async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, () => delivery()));
    const { pool, statements: queries } = countingPool(db.pool);
    const claim = createDeliveryClaimer(pool, settings);
    // Every delivery asked for twice, as duplicate jobs would.
    const results = await Promise.all([...ids, ...ids].map((id) => claim(id)));
    const claimed = results.flatMap((r) => (r.kind === "claimed" ? [r.delivery.id] : []));
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(results.filter((r) => r.kind === "busy")).toHaveLength(ids.length);
    // Two statements start at once with one job each; the rest gather behind them.
    expect(queries()).toBeLessThanOrEqual(6);
    for (const id of ids) expect(await heldForMs(id)).toBeGreaterThan(40_000);
  });

  it("sends a claim at once when nothing else is running", async () => {
    const id = await delivery();
    const claim = createDeliveryClaimer(db.pool, settings);
    expect((await claim(id)).kind).toBe("claimed");
    expect(await claim(id)).toMatchObject({ kind: "busy" });
  });
});
