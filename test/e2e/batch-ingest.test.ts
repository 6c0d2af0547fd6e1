import { create } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MessageService } from "@piperelay/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, messageCount } from "../support/fixtures.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// A small limit so the "too many" case is cheap to send.
const maxBatchMessages = 20;
let stack: TestStack;
let receiver: Receiver;
let apiKey: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  stack = await startStack({
    PIPERELAY_SERVER_MAX_BATCH_MESSAGES: String(maxBatchMessages),
    PIPERELAY_MAX_PAYLOAD_SIZE: "1KiB",
  });
  receiver = await startReceiver();
  ({ apiKey } = await createApp(stack.baseUrl));
  await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url, event_types: ["order.*"] });
  rest = restClient(stack.baseUrl, apiKey);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

interface BatchResponse {
  messages: { id: string; event_type: string; status: string; endpoints_targeted: number }[];
}

describe("SendMessages (batch ingest)", () => {
  it("stores every message of the batch, answers in order, and delivers each", async () => {
    const before = receiver.requests.length;
    const { status, body } = await rest<BatchResponse>("POST", "/api/v1/messages/batch", {
      messages: [
        { event_type: "order.paid", payload: { n: 1 } },
        { event_type: "user.created", payload: { n: 2 } },
        { event_type: "order.refunded", payload: { n: 3 } },
      ],
    });
    expect(status).toBe(200);
    expect(body.messages.map((m) => [m.event_type, m.status, m.endpoints_targeted])).toEqual([
      ["order.paid", "pending", 1],
      ["user.created", "delivered", 0],
      ["order.refunded", "pending", 1],
    ]);
    const arrived = (await receiver.waitFor(before + 2)).slice(before);
    expect(arrived.map((r) => JSON.parse(r.body)).sort((a, b) => a.n - b.n)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(arrived.map((r) => r.headers["webhook-id"]).sort()).toEqual(
      [body.messages[0]?.id, body.messages[2]?.id].sort(),
    );
  });

  it("honours each message's idempotency key, also within one batch", async () => {
    const first = await rest<BatchResponse>("POST", "/api/v1/messages/batch", {
      messages: [{ event_type: "order.paid", payload: {}, idempotency_key: "batch-k1" }],
    });
    const { status, body } = await rest<BatchResponse>("POST", "/api/v1/messages/batch", {
      messages: [
        { event_type: "order.paid", payload: {}, idempotency_key: "batch-k1" },
        { event_type: "order.paid", payload: {}, idempotency_key: "batch-k2" },
        { event_type: "order.paid", payload: {}, idempotency_key: "batch-k2" },
      ],
    });
    expect(status).toBe(200);
    const ids = body.messages.map((m) => m.id);
    expect(ids[0]).toBe(first.body.messages[0]?.id);
    expect(ids[2]).toBe(ids[1]);
    expect(ids[1]).not.toBe(ids[0]);
    const { rows } = await stack.process.clients.database.pool.query(
      "SELECT count(*)::int AS n FROM messages WHERE idempotency_key IN ('batch-k1', 'batch-k2')",
    );
    expect(rows[0].n).toBe(2);
  });

  it("refuses the whole batch, storing nothing, when one message is invalid, naming it", async () => {
    const before = await messageCount(stack);
    const invalid = await rest("POST", "/api/v1/messages/batch", {
      messages: [
        { event_type: "order.paid", payload: {} },
        { event_type: "bad type!", payload: {} },
      ],
    });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain("messages[1].event_type");

    const tooLarge = await rest("POST", "/api/v1/messages/batch", {
      messages: [
        { event_type: "order.paid", payload: {} },
        { event_type: "order.paid", payload: "x".repeat(2000) },
      ],
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.stringify(tooLarge.body)).toContain("messages[1].payload");
    expect(await messageCount(stack)).toBe(before);
  });

  it("refuses an empty batch, one over the limit, and the Idempotency-Key header", async () => {
    const before = await messageCount(stack);
    const empty = await rest("POST", "/api/v1/messages/batch", { messages: [] });
    expect(empty.status).toBe(400);
    const many = await rest("POST", "/api/v1/messages/batch", {
      messages: Array.from({ length: maxBatchMessages + 1 }, () => ({
        event_type: "order.paid",
        payload: {},
      })),
    });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toContain(`more than the limit of ${maxBatchMessages}`);
    const header = await rest(
      "POST",
      "/api/v1/messages/batch",
      { messages: [{ event_type: "order.paid", payload: {} }] },
      { "Idempotency-Key": "one-for-all" },
    );
    expect(header.status).toBe(400);
    expect(await messageCount(stack)).toBe(before);
  });

  it("is served over gRPC with the same rules", async () => {
    const client = createClient(
      MessageService,
      createGrpcTransport({
        baseUrl: stack.baseUrl,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${apiKey}`);
            return next(req);
          },
        ],
      }),
    );
    const payload = create(ValueSchema, { kind: { case: "stringValue", value: "hi" } });
    const sent = await client.sendMessages({
      messages: [
        { eventType: "order.paid", payload },
        { eventType: "order.paid", payload },
      ],
    });
    expect(sent.messages).toHaveLength(2);
    expect(sent.messages.every((m) => m.id.startsWith("msg_") && m.endpointsTargeted === 1)).toBe(true);
    const error = await client.sendMessages({ messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });
});
