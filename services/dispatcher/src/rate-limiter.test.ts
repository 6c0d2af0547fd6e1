import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { takeRateSlot } from "./rate-limiter.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_limited", "ep_other"], maxConnections: 8 });
});
afterAll(async () => {
  await db?.dispose();
});

describe("takeRateSlot", () => {
  it("gives out at most `limit` slots in a window, to concurrent callers too, per endpoint", async () => {
    // Six at once on several connections: each counts after the lock, seeing the others' slots.
    const decisions = await Promise.all(
      Array.from({ length: 6 }, () => takeRateSlot(db.pool, "ep_limited", 3)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    for (const refused of decisions.filter((d) => !d.allowed))
      expect(refused).toMatchObject({ allowed: false, retryInMs: expect.any(Number) });
    const waits = decisions.flatMap((d) => (d.allowed ? [] : [d.retryInMs]));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1100);

    // Another endpoint's limit is its own.
    expect(await takeRateSlot(db.pool, "ep_other", 1)).toEqual({ allowed: true });
    expect((await takeRateSlot(db.pool, "ep_other", 1)).allowed).toBe(false);

    // Once the window has passed, slots free up again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(...waits) + 20));
    expect(await takeRateSlot(db.pool, "ep_limited", 3)).toEqual({ allowed: true });
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM rate_slots WHERE endpoint_id = 'ep_limited'",
    );
    expect(rows[0].n).toBe(4);
  });
});
