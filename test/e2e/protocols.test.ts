import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import {
  ApplicationService,
  EndpointService,
  MessageService,
  SendMessageRequestSchema,
} from "@piperelay/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const transports: Record<string, () => Transport> = {
  "gRPC over h2c": () => createGrpcTransport({ baseUrl: stack.baseUrl }),
  "Connect JSON over HTTP/1.1": () =>
    createConnectTransport({ baseUrl: stack.baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  "Connect binary over HTTP/2": () =>
    createConnectTransport({ baseUrl: stack.baseUrl, httpVersion: "2", useBinaryFormat: true }),
};

describe.each(Object.entries(transports))("the design's flow over %s", (_name, makeTransport) => {
  it("creates an application and endpoint, sends a message, and reads back the delivery", async () => {
    const transport = makeTransport();
    const apps = createClient(ApplicationService, transport);
    const { application } = await apps.createApplication({ name: "Seentics" });
    expect(application?.apiKey).toMatch(/^pk_live_/);
    const auth = { headers: { authorization: `Bearer ${application?.apiKey}` } };

    const endpoints = createClient(EndpointService, transport);
    const { endpoint } = await endpoints.createEndpoint(
      { url: receiver.url, eventTypes: ["session.completed"] },
      auth,
    );
    expect(endpoint?.secret).toMatch(/^whsec_/);

    const messages = createClient(MessageService, transport);
    const request = create(SendMessageRequestSchema, {
      eventType: "session.completed",
      payload: fromJson(ValueSchema, { session_id: "sess_abc123", duration: 342 }),
    });
    const sent = await messages.sendMessage(request, auth);
    expect(sent).toMatchObject({ eventType: "session.completed", status: "pending", endpointsTargeted: 1 });

    const delivered = await eventually(async () => {
      const { message } = await messages.getMessage({ id: sent.id }, auth);
      return message?.status === "delivered" ? message : undefined;
    });
    expect(delivered.deliveries[0]?.attempts[0]?.statusCode).toBe(200);
    const arrived = receiver.requests.find((r) => r.headers["x-piperelay-id"] === sent.id);
    expect(JSON.parse(arrived?.body ?? "null")).toEqual({ session_id: "sess_abc123", duration: 342 });
  });

  it("answers errors with the matching codes", async () => {
    const messages = createClient(MessageService, makeTransport());
    const noKey = await messages.listMessages({}).catch((e: unknown) => ConnectError.from(e));
    expect(noKey).toBeInstanceOf(ConnectError);
    expect((noKey as ConnectError).code).toBe(Code.Unauthenticated);

    const { application } = await createClient(ApplicationService, makeTransport()).createApplication({
      name: "e",
    });
    const auth = { headers: { authorization: `Bearer ${application?.apiKey}` } };
    const missing = await messages
      .getMessage({ id: "msg_nope" }, auth)
      .catch((e: unknown) => ConnectError.from(e));
    expect((missing as ConnectError).code).toBe(Code.NotFound);
    const invalid = await messages
      .sendMessage({ eventType: "bad type!", payload: fromJson(ValueSchema, 1) }, auth)
      .catch((e: unknown) => ConnectError.from(e));
    expect((invalid as ConnectError).code).toBe(Code.InvalidArgument);
    expect((invalid as ConnectError).rawMessage).toMatch(/event_type/);
  });
});
