import { execFileSync } from "node:child_process";
import { ensureDatabase, migrateUp } from "@piperelay/db";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { adminDatabaseUrl, templateDatabaseName, testDatabaseUrl } from "./urls.js";

/**
 * Builds a migrated template database once per run; each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of a migration.
 */
export default async function setup(_project: TestProject): Promise<void> {
  // Process-level tests run the bundles in dist/, so they must match the sources under test.
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabaseName} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const url = testDatabaseUrl(templateDatabaseName);
  await ensureDatabase(url);
  await migrateUp(url);
}
