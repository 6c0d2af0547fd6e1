import { adminComponent } from "@piperelay/admin";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../../test/support/poll.js";
import { type Receiver, startReceiver } from "../../../test/support/receiver.js";
import { startStack, type TestStack } from "../../../test/support/stack.js";
import { Code, ConnectError, createPipeRelayClient, jsonValue, verifyWebhook } from "./index.js";

// Admin and dispatcher in one process, ingest in another with its own port, as in docker-compose.yml.
const adminToken = "client-test-admin-token";
let stack: TestStack;
let ingestUrl: string;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_ADMIN_TOKEN: adminToken }, [adminComponent, dispatcherComponent]);
  const ingest = await stack.startAnother([ingestComponent]);
  ingestUrl = `http://127.0.0.1:${ingest.port}`;
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

describe.each(["connect", "grpc"] as const)("createPipeRelayClient over %s", (transport) => {
  it("creates an endpoint, sends a message through ingest and reads back its verified delivery", async () => {
    const admin = createPipeRelayClient({ baseUrl: stack.baseUrl, apiKey: adminToken, transport });
    const { application } = await admin.applications.createApplication({ name: `client ${transport}` });
    admin.close();

    const client = createPipeRelayClient({
      baseUrl: stack.baseUrl,
      ingestUrl,
      apiKey: application?.apiKey ?? "",
      transport,
    });
    try {
      const { endpoint } = await client.endpoints.createEndpoint({
        url: receiver.url,
        eventTypes: ["session.*"],
      });
      expect(endpoint?.secret).toMatch(/^whsec_/);
      const before = receiver.requests.length;
      const sent = await client.messages.sendMessage({
        eventType: "session.completed",
        payload: jsonValue({ session_id: "sess_abc123", transport }),
      });
      expect(sent).toMatchObject({ status: "pending", endpointsTargeted: 1 });

      const [request] = (await receiver.waitFor(before + 1)).slice(before);
      expect(request?.headers["webhook-id"]).toBe(sent.id);
      expect(JSON.parse(request?.body ?? "")).toEqual({ session_id: "sess_abc123", transport });
      expect(verifyWebhook(endpoint?.secret ?? "", request?.headers ?? {}, request?.body ?? "")).toBe(true);

      const message = await eventually(async () => {
        const { message } = await client.messages.getMessage({ id: sent.id });
        return message?.status === "delivered" ? message : undefined;
      });
      expect(message.deliveries).toEqual([
        expect.objectContaining({ endpointId: endpoint?.id, status: "success", attemptCount: 1 }),
      ]);

      // The batch goes to ingest too (admin would answer Unimplemented).
      const batch = await client.messages.sendMessages({
        messages: [1, 2].map((n) => ({ eventType: "session.started", payload: jsonValue({ n }) })),
      });
      expect(batch.messages.map((m) => m.endpointsTargeted)).toEqual([1, 1]);
      const arrived = (await receiver.waitFor(before + 3)).slice(before + 1);
      expect(arrived.map((r) => r.headers["webhook-id"]).sort()).toEqual(
        batch.messages.map((m) => m.id).sort(),
      );
    } finally {
      client.close();
    }
  });

  it("sends SendMessage to baseUrl when no ingestUrl is given", async () => {
    // The admin process does not serve SendMessage: the call reaches it and is refused there.
    const client = createPipeRelayClient({ baseUrl: stack.baseUrl, apiKey: adminToken, transport });
    try {
      const { application } = await client.applications.createApplication({ name: "no ingest" });
      const app = createPipeRelayClient({
        baseUrl: stack.baseUrl,
        apiKey: application?.apiKey ?? "",
        transport,
      });
      const error = await app.messages.sendMessage({ eventType: "x" }).catch((e: unknown) => e);
      app.close();
      expect(ConnectError.from(error).code).toBe(Code.Unimplemented);
    } finally {
      client.close();
    }
  });

  it("puts the API key on every call", async () => {
    const client = createPipeRelayClient({ baseUrl: stack.baseUrl, apiKey: "pk_live_unknown", transport });
    try {
      const error = await client.endpoints.listEndpoints({}).catch((e: unknown) => e);
      expect(ConnectError.from(error).code).toBe(Code.Unauthenticated);
      expect((await client.health.checkHealth({})).status).toBe("ok");
    } finally {
      client.close();
    }
  });
});
