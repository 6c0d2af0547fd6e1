import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { EndpointService, MessageService, SendMessageRequestSchema } from "@piperelay/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp } from "../support/fixtures.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_MAX_PAYLOAD_SIZE: "1KiB" });
  ({ apiKey } = await createApp(stack.baseUrl));
});
afterAll(async () => stack?.stop());

async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await stack.process.clients.database.pool.query(
    "SELECT (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM deliveries) AS deliveries, (SELECT count(*)::int FROM endpoints) AS endpoints",
  );
  return rows[0];
}

type Case = [
  name: string,
  method: string,
  path: string,
  body: unknown,
  status: number,
  auth?: "none" | "bad",
];

const cases: Case[] = [
  ["event_type missing", "POST", "/api/v1/messages", { payload: {} }, 400],
  ["event_type empty", "POST", "/api/v1/messages", { event_type: "", payload: {} }, 400],
  ["event_type with a space", "POST", "/api/v1/messages", { event_type: "a b", payload: {} }, 400],
  [
    "event_type with a control character",
    "POST",
    "/api/v1/messages",
    { event_type: "a\u0001", payload: {} },
    400,
  ],
  [
    "event_type over 256 characters",
    "POST",
    "/api/v1/messages",
    { event_type: "a".repeat(257), payload: {} },
    400,
  ],
  ["event_type of the wrong type", "POST", "/api/v1/messages", { event_type: 5, payload: {} }, 400],
  ["payload missing", "POST", "/api/v1/messages", { event_type: "x" }, 400],
  [
    "payload over the size limit",
    "POST",
    "/api/v1/messages",
    { event_type: "x", payload: { s: "a".repeat(2000) } },
    413,
  ],
  ["body that is not JSON", "POST", "/api/v1/messages", "{not json", 400],
  ["unknown field", "POST", "/api/v1/messages", { event_type: "x", payload: 1, colour: "red" }, 400],
  [
    "idempotency key over 256 characters",
    "POST",
    "/api/v1/messages",
    { event_type: "x", payload: 1, idempotency_key: "k".repeat(257) },
    400,
  ],
  ["no API key", "POST", "/api/v1/messages", { event_type: "x", payload: 1 }, 401, "none"],
  ["unknown API key", "POST", "/api/v1/messages", { event_type: "x", payload: 1 }, 401, "bad"],
  ["endpoint without url", "POST", "/api/v1/endpoints", { description: "x" }, 400],
  ["endpoint with a relative url", "POST", "/api/v1/endpoints", { url: "/hook" }, 400],
  ["endpoint with an ftp url", "POST", "/api/v1/endpoints", { url: "ftp://example.com/x" }, 400],
  [
    "endpoint with credentials in the url",
    "POST",
    "/api/v1/endpoints",
    { url: "https://u:p@example.com/x" },
    400,
  ],
  [
    "endpoint with a bad event type pattern",
    "POST",
    "/api/v1/endpoints",
    { url: "https://example.com", event_types: ["a b"] },
    400,
  ],
  [
    "endpoint with rate_limit 0",
    "POST",
    "/api/v1/endpoints",
    { url: "https://example.com", rate_limit: 0 },
    400,
  ],
  [
    "endpoint with a malformed secret",
    "POST",
    "/api/v1/endpoints",
    { url: "https://example.com", secret: "nope" },
    400,
  ],
  ["negative limit", "GET", "/api/v1/messages?limit=-1", undefined, 400],
  ["non-numeric limit", "GET", "/api/v1/messages?limit=ten", undefined, 400],
  ["bad cursor", "GET", "/api/v1/messages?cursor=%%%", undefined, 400],
  ["unknown status filter", "GET", "/api/v1/messages?status=lost", undefined, 400],
  ["bad since timestamp", "GET", "/api/v1/messages?since=yesterday", undefined, 400],
  ["unknown query parameter", "GET", "/api/v1/messages?colour=red", undefined, 400],
  ["unknown message id", "GET", "/api/v1/messages/msg_doesnotexist", undefined, 404],
  ["unknown endpoint id", "GET", "/api/v1/endpoints/ep_doesnotexist", undefined, 404],
  ["unknown delivery id", "GET", "/api/v1/deliveries/dlv_doesnotexist", undefined, 404],
  ["retry of an unknown message", "POST", "/api/v1/messages/msg_doesnotexist/retry", {}, 404],
  ["wrong method on a known path", "DELETE", "/api/v1/messages", undefined, 405],
  ["unknown path", "GET", "/api/v1/nothing-here", undefined, 404],
];

describe("bad input over REST", () => {
  it.each(cases)(
    "%s → %i with a JSON error, nothing stored",
    async (_name, method, path, body, status, auth) => {
      const before = await rowCounts();
      const key = auth === "none" ? undefined : auth === "bad" ? "pk_live_unknown" : apiKey;
      const res = await restClient(stack.baseUrl, key)(method, path, body);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(await rowCounts()).toEqual(before);
    },
  );

  it("answers a body that is not UTF-8 with 400", async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: Buffer.from([0x7b, 0x22, 0x65, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(response.status).toBe(400);
  });

  it("answers deeply nested JSON with a 4xx and keeps serving", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const res = await restClient(stack.baseUrl, apiKey)(
      "POST",
      "/api/v1/messages",
      `{"event_type":"x","payload":${deep}}`,
    );
    expect([400, 413]).toContain(res.status);
  });

  it("keeps serving after all of that", async () => {
    const health = await restClient(stack.baseUrl)("GET", "/api/v1/health");
    expect(health.status).toBe(200);
  });
});

type RpcCase = [
  name: string,
  call: (auth: { headers: Record<string, string> }) => Promise<unknown>,
  code: Code,
];

const rpcCases = (transport: () => Transport): RpcCase[] => {
  const messages = () => createClient(MessageService, transport());
  const endpoints = () => createClient(EndpointService, transport());
  const send = (eventType: string, payload: unknown) =>
    create(SendMessageRequestSchema, { eventType, payload: fromJson(ValueSchema, payload as never) });
  return [
    ["empty event type", (a) => messages().sendMessage(send("", {}), a), Code.InvalidArgument],
    ["event type with a space", (a) => messages().sendMessage(send("a b", {}), a), Code.InvalidArgument],
    [
      "event type with a control character",
      (a) => messages().sendMessage(send("a\u0007", {}), a),
      Code.InvalidArgument,
    ],
    [
      "event type over 256 characters",
      (a) => messages().sendMessage(send("a".repeat(257), {}), a),
      Code.InvalidArgument,
    ],
    ["missing payload", (a) => messages().sendMessage({ eventType: "x" }, a), Code.InvalidArgument],
    [
      "payload over the limit",
      (a) => messages().sendMessage(send("x", { s: "a".repeat(2000) }), a),
      Code.ResourceExhausted,
    ],
    [
      "idempotency key over 256 characters",
      (a) => messages().sendMessage({ ...send("x", 1), idempotencyKey: "k".repeat(257) }, a),
      Code.InvalidArgument,
    ],
    ["negative limit", (a) => messages().listMessages({ limit: -1 }, a), Code.InvalidArgument],
    ["bad cursor", (a) => messages().listMessages({ cursor: "%%%" }, a), Code.InvalidArgument],
    ["unknown status filter", (a) => messages().listMessages({ status: "lost" }, a), Code.InvalidArgument],
    ["unknown message", (a) => messages().getMessage({ id: "msg_nope" }, a), Code.NotFound],
    ["retry of an unknown message", (a) => messages().retryMessage({ id: "msg_nope" }, a), Code.NotFound],
    ["endpoint without url", (a) => endpoints().createEndpoint({ url: "" }, a), Code.InvalidArgument],
    [
      "endpoint with an ftp url",
      (a) => endpoints().createEndpoint({ url: "ftp://example.com" }, a),
      Code.InvalidArgument,
    ],
    [
      "endpoint with credentials",
      (a) => endpoints().createEndpoint({ url: "https://u:p@example.com" }, a),
      Code.InvalidArgument,
    ],
    [
      "endpoint with rate_limit 0",
      (a) => endpoints().createEndpoint({ url: "https://example.com", rateLimit: 0 }, a),
      Code.InvalidArgument,
    ],
    [
      "endpoint with a bad pattern",
      (a) => endpoints().createEndpoint({ url: "https://example.com", eventTypes: ["a b"] }, a),
      Code.InvalidArgument,
    ],
    ["unknown endpoint", (a) => endpoints().getEndpoint({ id: "ep_nope" }, a), Code.NotFound],
    ["no API key", () => messages().listMessages({}), Code.Unauthenticated],
    [
      "unknown API key",
      () => messages().listMessages({}, { headers: { authorization: "Bearer pk_live_nope" } }),
      Code.Unauthenticated,
    ],
  ];
};

const transports: Record<string, () => Transport> = {
  "Connect JSON": () => createConnectTransport({ baseUrl: stack.baseUrl, httpVersion: "1.1" }),
  gRPC: () => createGrpcTransport({ baseUrl: stack.baseUrl }),
};

describe.each(Object.keys(transports))("bad input over %s", (protocol) => {
  it.each(rpcCases(() => transports[protocol]!()))(
    "%s → its code, nothing stored",
    async (_name, call, code) => {
      const before = await rowCounts();
      const error = await call({ headers: { authorization: `Bearer ${apiKey}` } }).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error?.code).toBe(code);
      expect(await rowCounts()).toEqual(before);
    },
  );
});
