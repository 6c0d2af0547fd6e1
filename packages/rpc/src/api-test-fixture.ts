// Test support: stub services and a real API server on a free port. Not exported from the package.
import type { HandlerContext } from "@connectrpc/connect";
import {
  ApplicationService,
  EndpointService,
  HealthService,
  type ListMessagesRequest,
  MessageService,
} from "@piperelay/proto";
import { type ApiServer, type ApiServerOptions, createApiServer } from "./api-server.js";
import { type Caller, callerKey, requireApplicationId } from "./caller.js";
import { fail } from "./failures.js";
import { type ServicePart, servicePart } from "./service-parts.js";

export const adminToken = "admin-token-for-tests";
export const apiKey = "pk_live_test";
export const applicationId = "app_test";

/** What the stubs saw, for assertions. */
export interface Recorded {
  callers: Caller[];
  listMessages: ListMessagesRequest[];
  idempotencyKeys: (string | null)[];
  internalErrors: { error: unknown; method: string }[];
}

/** The stub parts: MessageService comes in two parts, as the ingest and admin processes serve it. */
export function stubParts(recorded: Recorded): ServicePart[] {
  const seen = (ctx: HandlerContext) => recorded.callers.push(ctx.values.get(callerKey));
  return [
    servicePart(EndpointService, {
      getEndpoint(req, ctx) {
        seen(ctx);
        if (req.id === "ep_missing") fail({ outcome: "not_found", resource: "endpoint", id: req.id });
        return {
          endpoint: { id: req.id, applicationId: requireApplicationId(ctx), url: "https://example.com/hook" },
        };
      },
      createEndpoint(req, ctx) {
        ctx.responseHeader.set("x-stub", "created");
        return { endpoint: { id: "ep_new", url: req.url, eventTypes: req.eventTypes, isActive: true } };
      },
      updateEndpoint(req) {
        return {
          endpoint: {
            id: req.id,
            url: req.url,
            eventTypes: req.eventTypes,
            rateLimit: req.rateLimit,
            isActive: req.isActive ?? true,
            metadata: req.metadata,
          },
        };
      },
      toggleEndpoint(req) {
        return { endpoint: { id: req.id, isActive: req.isActive ?? false } };
      },
      deleteEndpoint(req) {
        return { id: req.id, deleted: true };
      },
      getEndpointStats() {
        throw new Error("connection to postgres://relay:hunter2@db failed");
      },
    }),
    servicePart(MessageService, {
      sendMessage(req, ctx) {
        recorded.idempotencyKeys.push(ctx.requestHeader.get("idempotency-key"));
        return { id: "msg_1", eventType: req.eventType, status: "pending" };
      },
    }),
    servicePart(MessageService, {
      listMessages(req) {
        recorded.listMessages.push(req);
        return { messages: [], nextCursor: req.cursor === "" ? "" : `${req.cursor}-next` };
      },
    }),
    servicePart(HealthService, {
      checkHealth(_req, ctx) {
        seen(ctx);
        return { status: "ok", version: "test" };
      },
      getStats(_req, ctx) {
        seen(ctx);
        return { messagesToday: ctx.values.get(callerKey).kind === "admin" ? 100 : 1 };
      },
    }),
    servicePart(ApplicationService, {
      createApplication(req, ctx) {
        seen(ctx);
        return { application: { id: "app_new", name: req.name, apiKey: "pk_live_new" } };
      },
      listApplications(_req, ctx) {
        seen(ctx);
        return { applications: [] };
      },
    }),
  ];
}

export interface TestApi {
  server: ApiServer;
  baseUrl: string;
  recorded: Recorded;
}

/** Starts the API with the stubs on a free loopback port; stop it with `server.close()`. */
export async function startTestApi(overrides: Partial<ApiServerOptions> = {}): Promise<TestApi> {
  const recorded: Recorded = { callers: [], listMessages: [], idempotencyKeys: [], internalErrors: [] };
  const server = createApiServer({
    parts: stubParts(recorded),
    auth: {
      adminToken,
      openAdmin: false,
      resolveApiKey: async (key) => (key === apiKey ? applicationId : undefined),
    },
    maxBodyBytes: 64 * 1024,
    onInternalError: (error, method) => recorded.internalErrors.push({ error, method }),
    ...overrides,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  return { server, baseUrl: `http://127.0.0.1:${port}`, recorded };
}

/** Headers of a REST call made with the test application's API key. */
export function withApiKey(headers: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, ...headers };
}
