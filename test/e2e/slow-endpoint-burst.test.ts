import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMany, sendTimedOneByOne } from "../support/fixtures.js";
import { scrapeMetrics } from "../support/metrics.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { type SlowReceiver, startSlowReceiver } from "../support/slow-receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// A small ack-pending window stands in for the production one (20,000): what fills
// this one with a few hundred jobs fills that one with a few tens of thousands.
const maxAckPending = 100;
const burst = 400;

let stack: TestStack;
let healthy: Receiver;
let slow: SlowReceiver;

beforeAll(async () => {
  stack = await startStack();
  const { nc, names } = stack.process.clients;
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.update(names.stream, names.consumer, { max_ack_pending: maxAckPending });
  healthy = await startReceiver();
  // Answers every webhook, 400 ms later: 10 at once, so 25 a second.
  slow = await startSlowReceiver(400);
});
afterAll(async () => {
  slow?.close();
  await healthy?.close();
  await stack?.stop();
});

describe("a burst to a slow endpoint", () => {
  it("waits in PostgreSQL beyond a few seconds of the endpoint's time, so other endpoints' jobs still get through", async () => {
    const busy = await createApp(stack.baseUrl, "busy");
    await createEndpoint(stack.baseUrl, busy.apiKey, { url: slow.url });
    await sendMany(stack.baseUrl, busy.apiKey, burst, "burst", 16);

    const calm = await createApp(stack.baseUrl, "calm");
    await createEndpoint(stack.baseUrl, calm.apiKey, { url: healthy.url });
    const latencies = await sendTimedOneByOne(stack.baseUrl, calm.apiKey, healthy, 10, "calm");
    // Held on JetStream, the burst would fill the ack-pending window until all but 100 of its
    // 400 jobs were done: 12 s at 25 a second.
    expect(Math.max(...latencies)).toBeLessThan(3000);

    // And none of the burst is lost: every message reaches the slow endpoint.
    const { pool } = stack.process.clients.database;
    await eventually(
      async () => {
        const { rows } = await pool.query(
          "SELECT count(*)::int AS n FROM messages m JOIN applications a ON a.id = m.application_id WHERE a.name = 'busy' AND m.status = 'delivered'",
        );
        return rows[0].n === burst ? true : undefined;
      },
      90_000,
      "every message of the burst to be delivered",
    );
    const { rows } = await pool.query(
      "SELECT m.id FROM messages m JOIN applications a ON a.id = m.application_id WHERE a.name = 'busy'",
    );
    expect(rows.filter((r: { id: string }) => !slow.answered.has(r.id))).toEqual([]);

    // Operators see it happen.
    const metrics = await scrapeMetrics(stack.baseUrl);
    expect(metrics.get("piperelay_jobs_deferred_total") ?? 0).toBeGreaterThan(0);
    expect(metrics.get('piperelay_jobs_held_back_total{reason="at_capacity"}') ?? 0).toBeGreaterThan(0);
  }, 150_000);
});
