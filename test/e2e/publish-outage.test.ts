import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { type NatsServer, startNatsServer } from "../support/nats-server.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receiver: Receiver;
let apiKey: string;
let endpointId: string;
let nats: NatsServer;

beforeAll(async () => {
  nats = await startNatsServer();
  stack = await startStack({ NATS_URL: nats.url });
  receiver = await startReceiver();
  ({ apiKey } = await createApp(stack.baseUrl));
  endpointId = String((await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url })).id);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await nats?.dispose();
});

describe("the outbox", () => {
  it("delivers messages accepted while NATS is down, once it is back", async () => {
    await nats.kill();
    const sent = [];
    for (let i = 0; i < 3; i++) {
      sent.push(await sendMessage(stack.baseUrl, apiKey, { event_type: "outage.test", payload: { i } }));
    }
    expect(sent.every((m) => m.status === "pending")).toBe(true);
    const { rows } = await stack.process.clients.database.pool.query(
      "SELECT count(*)::int AS n FROM deliveries WHERE enqueued_at IS NULL",
    );
    expect(rows[0].n).toBe(3);

    await nats.start();
    const requests = await receiver.waitFor(3, 30_000);
    expect(new Set(requests.map((r) => r.headers["x-piperelay-id"]))).toEqual(new Set(sent.map((m) => m.id)));
    for (const m of sent) {
      await eventually(async () => {
        const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${m.id}`);
        return res.body.status === "delivered" ? true : undefined;
      });
    }
  });

  it("recreates a deleted stream and republishes outstanding work from PostgreSQL", async () => {
    const { nc, names } = stack.process.clients;
    const before = receiver.requests.length;
    receiver.respondWith(() => ({ status: 500 }));
    // A delivery waiting on a NAK-delayed retry: its only copy lives in the stream.
    const sent = await sendMessage(stack.baseUrl, apiKey, { event_type: "lost.stream", payload: {} });
    await receiver.waitFor(before + 1);
    receiver.respondWith(() => ({ status: 200, body: "ok" }));
    await (await jetstreamManager(nc)).streams.delete(names.stream);
    const requests = await receiver.waitFor(before + 2, 30_000);
    expect(requests.at(-1)?.headers["x-piperelay-id"]).toBe(sent.id);
    await eventually(async () => {
      const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${sent.id}`);
      return res.body.status === "delivered" ? true : undefined;
    });
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
    await eventually(
      () => receiver.requests.find((r) => r.headers["x-piperelay-id"] === "msg_01JCRASHED0000000000000000"),
      30_000,
    );
    const request = receiver.requests.find(
      (r) => r.headers["x-piperelay-id"] === "msg_01JCRASHED0000000000000000",
    );
    expect(request?.body).toBe('{"crashed":true}');
    expect(receiver.requests.length).toBe(before + 1);
  });
});
