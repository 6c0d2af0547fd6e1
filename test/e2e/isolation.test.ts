import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMany, sendTimedOneByOne } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let healthy: Receiver;
let hanging: Server;
let hangingUrl: string;

beforeAll(async () => {
  // A long timeout makes a hanging endpoint as costly as it can be.
  stack = await startStack({ PIPERELAY_DELIVERY_TIMEOUT: "20s", PIPERELAY_WORKERS: "30" });
  healthy = await startReceiver();
  hanging = createServer(() => {
    // Accepts the request and never answers.
  });
  await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  hanging?.closeAllConnections();
  hanging?.close();
  await healthy?.close();
  await stack?.stop();
});

describe("isolation between endpoints", () => {
  it("keeps healthy endpoints fast while 1,000 deliveries wait on one that hangs", async () => {
    const noisy = await createApp(stack.baseUrl, "noisy");
    await createEndpoint(stack.baseUrl, noisy.apiKey, { url: hangingUrl });
    await sendMany(stack.baseUrl, noisy.apiKey, 1000, "flood");

    const calm = await createApp(stack.baseUrl, "calm");
    await createEndpoint(stack.baseUrl, calm.apiKey, { url: healthy.url });
    const latencies = await sendTimedOneByOne(stack.baseUrl, calm.apiKey, healthy, 20, "calm");
    // Without per-endpoint caps every worker would sit on the hanging endpoint for 20 s.
    expect(Math.max(...latencies)).toBeLessThan(3000);
  }, 120_000);
});

describe("a dead endpoint's backlog", () => {
  it("waits in PostgreSQL, not in JetStream's ack-pending window, once its circuit opens", async () => {
    const app = await createApp(stack.baseUrl, "dead");
    // Nothing listens on port 9: every attempt fails at once.
    await createEndpoint(stack.baseUrl, app.apiKey, { url: "http://127.0.0.1:9/hook" });
    await sendMany(stack.baseUrl, app.apiKey, 500, "dead");
    const { nc, names } = stack.process.clients;
    const jsm = await jetstreamManager(nc);
    const settled = await eventually(
      async () => {
        const info = await jsm.consumers.info(names.stream, names.consumer);
        return info.num_pending === 0 && info.num_ack_pending < 50 ? info : undefined;
      },
      30_000,
      "the backlog to leave JetStream",
    );
    expect(settled.num_ack_pending).toBeLessThan(50);
    const { rows } = await stack.process.clients.database.pool.query(
      "SELECT count(*)::int AS parked FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.url = 'http://127.0.0.1:9/hook' AND d.enqueued_at IS NULL AND d.status IN ('pending', 'retrying')",
    );
    // All of them but the few whose attempts opened the circuit and are retrying on schedule.
    expect(rows[0].parked).toBeGreaterThan(450);
  }, 60_000);
});
