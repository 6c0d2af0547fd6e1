import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../support/seeded-database.js";

// Ingest's cached subscribers hold while the application's endpoints_version stays
// (services/ingest/src/subscriber-cache.ts): every write that changes who receives what
// must move it, and the dispatcher's frequent endpoint writes should not.

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: [] });
  await db.pool.query(
    `INSERT INTO applications (id, name, api_key_hash, api_key_prefix) VALUES ('app_2', 'b', 'h2', 'p2')`,
  );
});
afterAll(async () => {
  await db?.dispose();
});

async function versions(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ id: string; v: number }>(
    "SELECT id, endpoints_version::int AS v FROM applications ORDER BY id",
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.v]));
}

async function moves(statement: string): Promise<Record<string, number>> {
  const before = await versions();
  await db.pool.query(statement);
  const after = await versions();
  return Object.fromEntries(Object.keys(after).map((id) => [id, (after[id] ?? 0) - (before[id] ?? 0)]));
}

describe("applications.endpoints_version", () => {
  it("moves once per statement that creates endpoints, for each application they belong to", async () => {
    expect(
      await moves(`INSERT INTO endpoints (id, application_id, url, secret, event_types)
                   SELECT 'ep_' || i, 'app_1', 'http://x', 's', '{order.paid}' FROM generate_series(1, 50) AS i`),
    ).toEqual({ app_1: 1, app_2: 0 });
    expect(
      await moves(`INSERT INTO endpoints (id, application_id, url, secret)
                   VALUES ('ep_a', 'app_1', 'http://x', 's'), ('ep_b', 'app_2', 'http://x', 's')`),
    ).toEqual({ app_1: 1, app_2: 1 });
  });

  it("moves when an endpoint's event types or active flag change, or it is deleted", async () => {
    expect(await moves("UPDATE endpoints SET event_types = '{user.*}' WHERE id = 'ep_1'")).toEqual({
      app_1: 1,
      app_2: 0,
    });
    expect(await moves("UPDATE endpoints SET is_active = false WHERE id = 'ep_1'")).toEqual({
      app_1: 1,
      app_2: 0,
    });
    expect(await moves("DELETE FROM endpoints WHERE id IN ('ep_2', 'ep_3', 'ep_b')")).toEqual({
      app_1: 1,
      app_2: 1,
    });
  });

  it("stays for writes that leave matching alone: URL, secret, failures and circuit", async () => {
    expect(
      await moves(`UPDATE endpoints SET url = 'http://y', secret = 't', failing_since = now(),
                   circuit_open_until = now() + interval '1 minute', event_types = event_types
                   WHERE application_id = 'app_1'`),
    ).toEqual({ app_1: 0, app_2: 0 });
  });

  it("lets an application be deleted with its endpoints", async () => {
    await db.pool.query("DELETE FROM applications WHERE id = 'app_2'");
    expect(await versions()).not.toHaveProperty("app_2");
    expect((await db.pool.query("SELECT 1 FROM endpoints WHERE application_id = 'app_2'")).rowCount).toBe(0);
  });
});
