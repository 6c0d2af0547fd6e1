import { HealthService } from "@piperelay/proto";
import { mergeServiceParts, servicePart } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminParts } from "./admin-parts.js";
import { clientFor, openTestDatabase, recordingPublisher, testKeys } from "./testing.js";

const targets = { allowPrivate: false, allowedCidrs: [], httpsOnly: false };
let db: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

describe("createAdminParts", () => {
  it("serves every admin service and leaves SendMessage to ingest", () => {
    const parts = createAdminParts({
      prisma: db.prisma,
      publisher: recordingPublisher(),
      targets,
      ...testKeys,
    });
    const services = parts.map((part) => part.service.typeName);
    expect(services).toEqual([
      "piperelay.v1.ApplicationService",
      "piperelay.v1.EndpointService",
      "piperelay.v1.MessageService",
      "piperelay.v1.DeliveryService",
      "piperelay.v1.HealthService",
    ]);
    const messages = parts.find((part) => part.service.typeName === "piperelay.v1.MessageService");
    expect(Object.keys(messages?.implementation ?? {}).sort()).toEqual([
      "getMessage",
      "listMessages",
      "retryMessage",
    ]);
  });

  it("leaves CheckHealth to the process, so its health part merges with the admin's", async () => {
    const parts = createAdminParts({
      prisma: db.prisma,
      publisher: recordingPublisher(),
      targets,
      ...testKeys,
    });
    const processHealth = servicePart(HealthService, { checkHealth: async () => ({ status: "ok" }) });
    const merged = mergeServiceParts([...parts, processHealth]);

    const client = clientFor(HealthService, merged, { kind: "admin" });
    expect((await client.checkHealth({})).status).toBe("ok");
    expect((await client.getStats({})).generatedAt).toBeDefined();
  });
});
