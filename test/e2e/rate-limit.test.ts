import { jetstreamManager } from "@nats-io/jetstream";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMany } from "../support/fixtures.js";
import { scrapeMetrics } from "../support/metrics.js";
import { eventually } from "../support/poll.js";
import { startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// A stack of its own: in isolation.test.ts this test shared its dispatchers with a thousand
// deliveries to an endpoint that never answers, and now and then (under the full suite's
// load) half its warm-up did not arrive within 30 s. That interaction is not understood yet.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** What the deliveries and the consumer looked like, for a failure's message. */
async function diagnosis(): Promise<string> {
  const { rows } = await stack.process.clients.database.pool.query(
    "SELECT d.status, d.attempt_count, d.locked_until, d.enqueued_at, d.next_retry_at, now() AS now FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.rate_limit = 5",
  );
  const { nc, names } = stack.process.clients;
  const info = await (await jetstreamManager(nc)).consumers.info(names.stream, names.consumer);
  return JSON.stringify({
    deliveries: rows,
    consumer: {
      pending: info.num_pending,
      ackPending: info.num_ack_pending,
      redelivered: info.num_redelivered,
    },
  });
}

describe("rate_limit", () => {
  it("never sends more than rate_limit deliveries in any second, across dispatchers, without counting waits as attempts", async () => {
    const second = await stack.startAnother([dispatcherComponent]);
    try {
      const limited = await startReceiver();
      try {
        const app = await createApp(stack.baseUrl, "limited");
        await createEndpoint(stack.baseUrl, app.apiKey, { url: limited.url, rate_limit: 5 });
        // Warm both dispatchers' connections first: a cold first request takes up to ~150 ms
        // more from its slot to the receiver than a warm one, which would skew arrival gaps.
        await sendMany(stack.baseUrl, app.apiKey, 10, "limited");
        await limited.waitFor(10, 30_000).catch(async (error: Error) => {
          throw new Error(`${error.message}; ${await diagnosis()}`);
        });
        await sendMany(stack.baseUrl, app.apiKey, 25, "limited");
        const requests = (await limited.waitFor(35, 30_000)).slice(10);
        const times = requests.map((r) => r.at).sort((a, b) => a - b);
        for (let i = 0; i + 5 < times.length; i++) {
          // Six sends never fit in one second.
          expect(times[i + 5]! - times[i]!).toBeGreaterThanOrEqual(1000);
        }
        const outcome = await eventually(async () => {
          const { rows } = await stack.process.clients.database.pool.query(
            "SELECT max(attempt_count)::int AS most, count(*)::int AS n FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.rate_limit = 5 AND d.status = 'success'",
          );
          return rows[0].n === 35 ? rows[0] : undefined;
        });
        expect(outcome).toEqual({ most: 1, n: 35 });
        // Operators see the waits.
        const metrics = await scrapeMetrics(stack.baseUrl);
        expect(metrics.get('piperelay_jobs_held_back_total{reason="rate_limited"}') ?? 0).toBeGreaterThan(0);
      } finally {
        await limited.close();
      }
    } finally {
      await second.stop();
    }
  }, 60_000);
});
