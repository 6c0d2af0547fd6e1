import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendTimedOneByOne } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { type SlowReceiver, startSlowReceiver } from "../support/slow-receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// 40 workers: a quick endpoint may have 20 attempts at once and 10 more jobs waiting for a
// slot; the other 10 workers are left for whatever else the stream holds.
const workers = 40;
// 20 at once, 40 ms each: the endpoint takes about 500 a second, so the burst lasts seconds.
const answerAfterMs = 40;
const burst = 3000;

let stack: TestStack;
let busy: SlowReceiver;
let calm: Receiver;

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_WORKERS: String(workers) });
  busy = await startSlowReceiver(answerAfterMs);
  calm = await startReceiver();
});
afterAll(async () => {
  busy?.close();
  await calm?.close();
  await stack?.stop();
});

describe("a burst to a quick endpoint", () => {
  it("does not hold other endpoints' jobs behind it", async () => {
    const flooded = await createApp(stack.baseUrl, "flooded");
    await createEndpoint(stack.baseUrl, flooded.apiKey, { url: busy.url });
    // In batches, so the burst is queued far faster than the endpoint takes it.
    const call = restClient(stack.baseUrl, flooded.apiKey);
    const batches = Array.from({ length: burst / 100 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => ({ event_type: "burst", payload: { n: b * 100 + i } })),
    );
    for (const messages of batches) {
      const res = await call("POST", "/api/v1/messages/batch", { messages });
      expect(res.status).toBe(200);
    }

    const other = await createApp(stack.baseUrl, "other");
    await createEndpoint(stack.baseUrl, other.apiKey, { url: calm.url });
    const latencies = await sendTimedOneByOne(stack.baseUrl, other.apiKey, calm, 5, "calm");
    const burstArrivedMeanwhile = busy.answered.size;
    // Served in stream order, the first would have waited for most of the burst: seconds at
    // 500 a second. The burst's jobs beyond the endpoint's slots and waiting line go back to
    // JetStream, and the workers move on to the jobs queued behind them. (Waiting in line for
    // the burst while the dispatcher was under a second behind, tried in the eleventh session,
    // made this 1 s instead of 20 ms; see docs/performance.md.)
    expect(burstArrivedMeanwhile).toBeLessThan(burst / 2);
    expect(Math.max(...latencies)).toBeLessThan(500);

    // None of the burst is lost.
    await eventually(
      () => (busy.answered.size === burst ? true : undefined),
      90_000,
      "every message of the burst to arrive",
    );
  });
});
