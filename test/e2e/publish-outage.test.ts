import { jetstreamManager } from "@nats-io/jetstream";
import { ensureTopology } from "@piperelay/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receiver: Receiver;
let apiKey: string;
let endpointId: string;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
  ({ apiKey } = await createApp(stack.baseUrl));
  endpointId = String((await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url })).id);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

describe("the outbox", () => {
  it("delivers messages accepted while JetStream publishing fails, once it recovers", async () => {
    const { nc, names } = stack.process.clients;
    const jsm = await jetstreamManager(nc);
    // With the stream gone every publish fails: the messages are committed but not queued.
    await jsm.streams.delete(names.stream);
    const sent = [];
    for (let i = 0; i < 5; i++) {
      sent.push(await sendMessage(stack.baseUrl, apiKey, { event_type: "outage.test", payload: { i } }));
    }
    expect(sent.every((m) => m.status === "pending")).toBe(true);
    const { rows } = await stack.process.clients.database.pool.query(
      "SELECT count(*)::int AS n FROM deliveries WHERE enqueued_at IS NULL",
    );
    expect(rows[0].n).toBe(5);
    expect(receiver.requests).toHaveLength(0);

    await ensureTopology(nc, names, { deliveryTimeoutMs: stack.config.delivery.timeout });
    // The dispatcher's consumer went with the stream; a restarted dispatcher binds to the new one.
    const dispatcherOnly = await stack.startAnother([(await import("@piperelay/dispatcher")).dispatcherComponent]);
    try {
      const requests = await receiver.waitFor(5, 30_000);
      expect(new Set(requests.map((r) => r.headers["x-piperelay-id"]))).toEqual(new Set(sent.map((m) => m.id)));
      for (const m of sent) {
        await eventually(async () => {
          const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${m.id}`);
          return res.body.status === "delivered" ? true : undefined;
        });
      }
    } finally {
      await dispatcherOnly.stop();
    }
  });

  it("publishes deliveries that a crashed ingest committed but never published", async () => {
    const { prisma } = stack.process.clients.database;
    const app = await prisma.endpoint.findUniqueOrThrow({ where: { id: endpointId } });
    // What a process that died right after COMMIT leaves behind: rows, no JetStream message.
    const before = receiver.requests.length;
    await prisma.message.create({
      data: {
        id: "msg_01JCRASHED0000000000000000",
        applicationId: app.applicationId,
        eventType: "crash.test",
        payload: '{"crashed":true}',
        endpointsTargeted: 1,
        deliveries: {
          create: {
            id: "dlv_01JCRASHED0000000000000000",
            endpointId,
            applicationId: app.applicationId,
            updatedAt: new Date(Date.now() - 60_000),
          },
        },
      },
    });
    const requests = await receiver.waitFor(before + 1, 30_000);
    expect(requests.at(-1)?.headers["x-piperelay-id"]).toBe("msg_01JCRASHED0000000000000000");
    expect(requests.at(-1)?.body).toBe('{"crashed":true}');
  });
});
