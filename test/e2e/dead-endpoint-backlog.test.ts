// A dead endpoint with a backlog: once its circuit opens, the backlog leaves
// JetStream for PostgreSQL in one go, only single probes are sent while it stays
// down, healthy endpoints are not held up, and when it comes back every parked
// delivery is delivered (none stranded by JetStream's duplicate window), spread
// out rather than all at once.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { lastJobSequence, queueNames } from "@piperelay/queue";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, untilCircuitRecordedOpen } from "../support/count-rows.js";
import { createApp, createEndpoint, sendMany, sendMessage } from "../support/fixtures.js";
import { eventually, holds } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";
import { natsUrl } from "../support/urls.js";

const backlogSize = 1500;
const sentWhileParked = 200;
let stack: TestStack;
let healthy: Receiver;
let flaky: Receiver;
let db: pg.Client;
// Answers 503 until it "comes back"; a port nobody listens on could be taken by another
// test's socket before the endpoint is revived on it.
let deadReceiver: Receiver;

beforeAll(async () => {
  stack = await startStack({
    PIPERELAY_DELIVERY_CIRCUIT_COOLDOWN: "2s",
    // Enough attempts that nothing fails for good while the endpoint is down.
    PIPERELAY_RETRY_SCHEDULE: "1s",
    PIPERELAY_MAX_ATTEMPTS: "50",
  });
  healthy = await startReceiver();
  // Fails its first request: that delivery's retry then waits in JetStream (a NAK delay).
  flaky = await startReceiver((_request, index) => ({ status: index === 0 ? 500 : 204 }));
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  deadReceiver = await startReceiver(() => ({ status: 503 }));
}, 60_000);

afterAll(async () => {
  await deadReceiver?.close();
  await db?.end();
  await healthy?.close();
  await flaky?.close();
  await stack?.stop();
});

const count = (sql: string, params: unknown[]) => countRows(db, sql, params);

describe("a dead endpoint's backlog", () => {
  it("is parked off JetStream, probed one delivery at a time, and delivered in full once the endpoint is back", async () => {
    const app = await createApp(stack.baseUrl);
    const dead = await createEndpoint(stack.baseUrl, app.apiKey, {
      url: deadReceiver.url,
      event_types: ["bulk.*"],
    });
    await createEndpoint(stack.baseUrl, app.apiKey, { url: healthy.url, event_types: ["live.*"] });
    await createEndpoint(stack.baseUrl, app.apiKey, {
      url: flaky.url,
      event_types: ["flaky.*"],
      retry_policy: { schedule: ["8s"] },
    });
    // Another endpoint's retry is NAK-delayed in JetStream while the dead endpoint's circuit
    // opens: taking the backlog off JetStream must not take that retry with it (NATS 2.9's
    // subject-filtered purge moved the consumer past every other subject's pending jobs).
    const retried = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "flaky.event", payload: {} });
    await flaky.waitFor(1, 10_000);
    await sendMany(stack.baseUrl, app.apiKey, backlogSize, "bulk.event");

    // The circuit opened and the backlog went to PostgreSQL.
    await untilCircuitRecordedOpen(db, String(dead.id), 20_000);
    const nc = await connect({ servers: natsUrl() });
    try {
      const jsm = await jetstreamManager(nc);
      const names = queueNames(stack.config.queue.prefix);
      const subject = names.subject(app.id, String(dead.id));
      await eventually(
        async () => {
          const info = await jsm.streams.info(names.stream, { subjects_filter: subject });
          return holds((info.state.subjects?.[subject] ?? 0) <= 50);
        },
        20_000,
        "the dead endpoint's jobs to leave the stream",
      );
      // New messages for it join the parked backlog in PostgreSQL without going on the stream:
      // a few jobs at most (the outbox relay's probes), not one per message.
      const lastBefore = await lastJobSequence(nc, names);
      await sendMany(stack.baseUrl, app.apiKey, sentWhileParked, "bulk.event");
      const published = (await lastJobSequence(nc, names)) - lastBefore;
      expect(published).toBeLessThanOrEqual(5);
    } finally {
      await nc.close();
    }

    // The other endpoint's retry still comes, once its delay is over.
    const [, second] = await flaky.waitFor(2, 30_000);
    expect(second?.headers["webhook-id"]).toBe(retried.id);

    // Healthy traffic goes straight through.
    for (let i = 0; i < 10; i++) {
      const sentAt = Date.now();
      const sent = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "live.tick", payload: { i } });
      const arrived = await eventually(
        () => healthy.requests.find((r) => r.headers["webhook-id"] === sent.id),
        10_000,
        `healthy message ${i} to arrive`,
      );
      expect(arrived.at - sentAt).toBeLessThan(3000);
    }

    // While it is down, probes only: a handful of attempts, not one per delivery.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const attemptsWhileDown = await count(
      "SELECT count(*) AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1",
      [dead.id],
    );
    expect(attemptsWhileDown).toBeLessThan(100);

    // The endpoint comes back: the next probe succeeds and everything is delivered.
    const failedRequests = deadReceiver.requests.length;
    deadReceiver.respondWith(() => ({ status: 204 }));
    await eventually(
      async () =>
        holds(
          (await count("SELECT count(*) AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'success'", [
            dead.id,
          ])) ===
            backlogSize + sentWhileParked,
        ),
      90_000,
      `all ${backlogSize + sentWhileParked} parked deliveries to be delivered`,
    );
    const returned = deadReceiver.requests.slice(failedRequests);
    expect(new Set(returned.map((r) => r.headers["webhook-id"])).size).toBe(backlogSize + sentWhileParked);
    // Released 200 a second (releasePerSecond), not at the outbox relay's full speed: the first
    // success is the probe sent as the park ends, when every parked delivery comes due at once.
    const busiestSecond = Math.max(
      ...returned.map((first) => returned.filter((r) => r.at >= first.at && r.at < first.at + 1000).length),
    );
    expect(busiestSecond).toBeLessThanOrEqual(400);
    expect(
      await count("SELECT count(*) AS n FROM endpoints WHERE id = $1 AND circuit_open_until IS NULL", [
        dead.id,
      ]),
    ).toBe(1);
  }, 150_000);
});
