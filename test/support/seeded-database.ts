import { createDatabase, type Database, type Prisma } from "@piperelay/db";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface SeededDatabase extends Database {
  /** The test database's connection string. */
  url: string;
  /**
   * Stores message `messageId` of `app_1` with the deliveries given, each to
   * `ep_1` and due now unless its fields say otherwise.
   */
  addMessage(
    messageId: string,
    deliveries: (Partial<Prisma.DeliveryCreateManyInput> & { id: string })[],
  ): Promise<void>;
  /** Closes the client and drops the database. */
  dispose(): Promise<void>;
}

/**
 * A fresh database holding application `app_1` with the given endpoints, for
 * unit tests whose rows need something to point at.
 */
export async function createSeededDatabase(
  options: { endpointIds?: string[]; maxConnections?: number } = {},
): Promise<SeededDatabase> {
  const testDb: TestDatabase = await createTestDatabase();
  const db = createDatabase(testDb.url, { maxConnections: options.maxConnections ?? 4 });
  await db.prisma.application.create({
    data: { id: "app_1", name: "a", apiKeyHash: "h", apiKeyPrefix: "p" },
  });
  for (const id of options.endpointIds ?? ["ep_1"]) {
    await db.prisma.endpoint.create({ data: { id, applicationId: "app_1", url: "http://x", secret: "s" } });
  }
  return {
    ...db,
    url: testDb.url,
    async addMessage(messageId, deliveries) {
      const timestamp = new Date();
      await db.prisma.message.create({
        data: { id: messageId, applicationId: "app_1", eventType: "x", payload: "{}", timestamp },
      });
      await db.prisma.delivery.createMany({
        data: deliveries.map((d) => ({
          messageId,
          endpointId: "ep_1",
          applicationId: "app_1",
          nextRetryAt: timestamp,
          ...d,
        })),
      });
    },
    async dispose() {
      await db.close();
      await testDb.drop();
    },
  };
}
