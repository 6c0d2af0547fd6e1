import { createDatabase, type Database } from "@piperelay/db";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface SeededDatabase extends Database {
  /** The test database's connection string. */
  url: string;
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
    async dispose() {
      await db.close();
      await testDb.drop();
    },
  };
}
