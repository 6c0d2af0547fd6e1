import { patternsMatching } from "@piperelay/core";
import { type Pool, preparedStatement } from "@piperelay/db";

/** An event to find subscribers for. */
export interface EventToMatch {
  applicationId: string;
  eventType: string;
}

/**
 * The active endpoints subscribed to each event, in id order, found in one
 * query for all of them: an application may have thousands of endpoints, so
 * the matching runs in the database (GIN index on `event_types`).
 */
export async function matchEndpoints(pool: Pool, events: readonly EventToMatch[]): Promise<string[][]> {
  // Events of one batch often share application and type: each distinct pair is matched once.
  const keys = new Map<string, number>();
  const distinct: EventToMatch[] = [];
  const slots = events.map((event) => {
    const key = `${event.applicationId}\n${event.eventType}`;
    let slot = keys.get(key);
    if (slot === undefined) {
      slot = distinct.push(event) - 1;
      keys.set(key, slot);
    }
    return slot;
  });
  const rows = await matchStatement(pool, [
    distinct.map((e) => e.applicationId),
    distinct.map((e) => JSON.stringify(patternsMatching(e.eventType))),
  ]);
  const matched: string[][] = distinct.map(() => []);
  for (const row of rows) matched[row.slot]?.push(row.id);
  return slots.map((slot) => matched[slot] as string[]);
}

const matchStatement = preparedStatement<{ slot: number; id: string }>(
  "ingest.match-endpoints",
  `SELECT (k.ord - 1)::int AS slot, e.id
   FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(application_id, patterns, ord)
   CROSS JOIN LATERAL (
     SELECT id FROM endpoints
     WHERE application_id = k.application_id AND is_active
       AND (cardinality(event_types) = 0
            OR event_types && ARRAY(SELECT jsonb_array_elements_text(k.patterns::jsonb)))
   ) AS e
   ORDER BY k.ord, e.id`,
);
