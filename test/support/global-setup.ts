import { execFileSync } from "node:child_process";
import { ensureDatabase, migrateUp } from "@piperelay/db";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { adminDatabaseUrl, templateDatabaseName, testDatabaseUrl } from "./urls.js";

/**
 * Builds a migrated template database once per run; each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of a migration.
 */
export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  // Process-level tests run the bundles, so build them once from the sources under test,
  // before any test file starts (building per file would race with running children).
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  const name = templateDatabaseName();
  await dropDatabase(name);
  const url = testDatabaseUrl(name);
  await ensureDatabase(url);
  await migrateUp(url);
  return () => dropDatabase(name);
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
