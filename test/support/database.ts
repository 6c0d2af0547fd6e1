import { randomBytes } from "node:crypto";
import pg from "pg";
import { adminDatabaseUrl, templateDatabaseName, testDatabaseUrl } from "./urls.js";

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own, cloned from the template the global setup built. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `piperelay_test_${randomBytes(6).toString("hex")}`;
  // Cloning fails while another session is connected to the template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    name,
    url: testDatabaseUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
