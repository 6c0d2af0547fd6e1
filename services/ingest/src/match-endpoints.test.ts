import { patternsMatching } from "@piperelay/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";
import { explain, type PlanNode } from "../../../test/support/query-plan.js";
import { matchEndpoints, matchEndpointsSql } from "./match-endpoints.js";

/** Rows the plan read from `table`, kept or filtered out, over all loops. */
function rowsRead(node: PlanNode, table: string): number {
  const own =
    node["Relation Name"] === table
      ? ((node["Actual Rows"] ?? 0) +
          (node["Rows Removed by Filter"] ?? 0) +
          (node["Rows Removed by Index Recheck"] ?? 0)) *
        (node["Actual Loops"] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), 0);
}

describe("matchEndpoints", () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await pool.query(
      `INSERT INTO applications (id, name, api_key_hash, api_key_prefix)
       VALUES ('app_1', 'a', 'h1', 'p1'), ('app_2', 'b', 'h2', 'p2'), ('app_big', 'c', 'h3', 'p3')`,
    );
    await pool.query(
      `INSERT INTO endpoints (id, application_id, url, secret, event_types, is_active) VALUES
         ('ep_all', 'app_1', 'http://a.example/', 's', '{}', true),
         ('ep_star', 'app_1', 'http://a.example/', 's', '{*}', true),
         ('ep_exact', 'app_1', 'http://a.example/', 's', '{order.created}', true),
         ('ep_prefix', 'app_1', 'http://a.example/', 's', '{user.created,order.*}', true),
         ('ep_other', 'app_1', 'http://a.example/', 's', '{user.created}', true),
         ('ep_inactive', 'app_1', 'http://a.example/', 's', '{}', false),
         ('ep_elsewhere', 'app_2', 'http://b.example/', 's', '{order.created}', true)`,
    );
    // One application with 2,000 endpoints, one of them subscribed to order.created.
    await pool.query(
      `INSERT INTO endpoints (id, application_id, url, secret, event_types)
       SELECT 'ep_big_' || i, 'app_big', 'http://c.example/', 's',
              CASE WHEN i = 0 THEN '{order.created}'::text[] ELSE ARRAY['other.event' || (i % 100)] END
       FROM generate_series(0, 1999) AS i`,
    );
    // No VACUUM: endpoints created in bulk are searched before any vacuum has run.
    await pool.query("ANALYZE endpoints");
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it("finds the active subscribers of each event in its own application, in id order", async () => {
    const matched = await matchEndpoints(pool, [
      { applicationId: "app_1", eventType: "order.created" },
      { applicationId: "app_1", eventType: "user.deleted" },
      { applicationId: "app_2", eventType: "order.created" },
      { applicationId: "app_1", eventType: "order.created" },
    ]);
    const ids = matched.map((event) => event.endpointIds);
    expect(ids).toEqual([
      ["ep_all", "ep_exact", "ep_prefix", "ep_star"],
      ["ep_all", "ep_star"],
      ["ep_elsewhere"],
      ["ep_all", "ep_exact", "ep_prefix", "ep_star"],
    ]);
  });

  it("reads only the subscribers, not every endpoint of the application", async () => {
    // The statement's parameters as matchEndpoints builds them: one row per pattern of the event.
    const patterns = patternsMatching("order.created");
    const plan = await explain(
      pool,
      matchEndpointsSql,
      [patterns.map(() => 0), patterns.map(() => "app_big"), patterns],
      "ANALYZE, ",
    );
    expect(rowsRead(plan, "endpoints")).toBeLessThan(20);
    // Nor through a GIN pending list of entries not yet merged (fast update), which every
    // search reads whole and EXPLAIN does not count as rows.
    const { rows: options } = await pool.query<{ reloptions: string[] | null }>(
      "SELECT reloptions FROM pg_class WHERE relname = 'idx_endpoints_event_types'",
    );
    expect(options[0]?.reloptions).toContain("fastupdate=off");
    expect(
      (await matchEndpoints(pool, [{ applicationId: "app_big", eventType: "order.created" }]))[0]
        ?.endpointIds,
    ).toEqual(["ep_big_0"]);
  });
});
