import { genericPlanSettings, listGenericPlanStatements } from "@piperelay/db";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Importing the modules declares their statements.
import "@piperelay/queue";
import "../../services/dispatcher/src/claim-deliveries.js";
import "../../services/dispatcher/src/defer-overflow.js";
import "../../services/dispatcher/src/record-attempts.js";
import "../../services/ingest/src/store-messages.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { explain, type PlanNode } from "../support/query-plan.js";

// A generic plan is made once per connection and kept however the tables grow, so each
// statement that has one must find its rows by primary key, and must do so even when the
// plan is made on empty tables (a new install's first minutes) with the settings of the
// connections that run it.

/** Every node of the plan that reads a table, as "<node type> on <table> [using <index> [by <condition>]]". */
function tableReads(node: PlanNode): string[] {
  const index = node["Index Name"] ? ` using ${node["Index Name"]}` : "";
  const condition = node["Index Cond"] ? ` by ${node["Index Cond"]}` : "";
  const own =
    node["Relation Name"] !== undefined && node["Node Type"] !== "ModifyTable"
      ? [`${node["Node Type"]} on ${node["Relation Name"]}${index}${condition}`]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap(tableReads)];
}

/** A lookup of rows by primary key (not a walk through the whole index). */
const keyLookup = /^Index (Only )?Scan on \w+ using \w+_pkey by \(id = /;

const hotStatements = [
  "dispatcher.claim-deliveries",
  "dispatcher.claims-busy",
  "dispatcher.defer-overflow",
  "dispatcher.record-attempts",
  "ingest.store-messages",
  "queue.mark-enqueued",
];

describe("statements with generic plans", () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url, options: genericPlanSettings });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("are the hot path's statements", () => {
    expect(
      listGenericPlanStatements()
        .map((s) => s.name)
        .sort(),
    ).toEqual(hotStatements);
  });

  // Autovacuum's statistics invalidate a cached plan, and the next one is made for them: the
  // plans must stay key lookups on a table of mostly finished deliveries as well.
  const tables = [
    { state: "empty tables", fill: [] as string[] },
    {
      state: "analyzed tables of 3,000 deliveries, a tenth outstanding",
      fill: [
        `INSERT INTO applications (id, name, api_key_hash, api_key_prefix) VALUES ('app_1', 'a', 'h', 'p')`,
        `INSERT INTO endpoints (id, application_id, url, secret)
         VALUES ('ep_1', 'app_1', 'http://a.example/', 's'), ('ep_2', 'app_1', 'http://b.example/', 's')`,
        `INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted)
         SELECT 'msg_' || g, 'app_1', 'a.b', '{}', 'delivered', 1 FROM generate_series(1, 3000) g`,
        `INSERT INTO deliveries (id, message_id, endpoint_id, application_id, status, attempt_count, enqueued_at)
         SELECT 'dlv_' || g, 'msg_' || g, 'ep_' || (g % 2 + 1), 'app_1',
                CASE WHEN g > 2700 THEN 'pending' ELSE 'success' END, CASE WHEN g > 2700 THEN 0 ELSE 1 END, now()
         FROM generate_series(1, 3000) g`,
        `INSERT INTO attempts (delivery_id, attempt_number, status_code)
         SELECT 'dlv_' || g, 1, 200 FROM generate_series(1, 2700) g`,
        "ANALYZE",
      ],
    },
  ];

  describe.each(tables)("planned on $state", ({ fill }) => {
    beforeAll(async () => {
      for (const sql of fill) await client.query(sql);
      await client.query("DEALLOCATE ALL");
    });

    it.each(listGenericPlanStatements().map((s) => [s.name, s.text]))(
      "%s only looks rows up by key",
      async (name, text) => {
        const parameters = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        const prepared = name.replaceAll(/\W/g, "_");
        await client.query(`PREPARE ${prepared} AS ${text}`);
        const plan = await explain(
          client,
          `EXECUTE ${prepared}(${Array(parameters).fill("NULL").join(", ")})`,
        );
        const reads = tableReads(plan);
        expect(reads.filter((read) => !keyLookup.test(read))).toEqual([]);
      },
    );
  });
});
