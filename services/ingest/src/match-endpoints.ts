import { patternsMatching } from "@piperelay/core";
import { type Pool, preparedStatement } from "@piperelay/db";

/** An event to find subscribers for. */
export interface EventToMatch {
  applicationId: string;
  eventType: string;
}

/** An event's subscribers, as of one version of its application's endpoints. */
export interface EventSubscribers {
  /**
   * The application's `endpoints_version` the match was made at; null when the
   * application was not found.
   */
  version: string | null;
  /** The active endpoints subscribed to the event, in id order. */
  endpointIds: readonly string[];
}

/**
 * The active endpoints subscribed to each event, in id order, with the
 * version of its application's endpoints they were read at, found in one
 * query for all of them: an application may have thousands of endpoints, so
 * the matching runs in the database (GIN index on `event_types`).
 */
export async function matchEndpoints(
  pool: Pool,
  events: readonly EventToMatch[],
): Promise<EventSubscribers[]> {
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
  // One row per (event, pattern): patternsMatching always yields at least `*`.
  const pairs = distinct.flatMap((event, slot) =>
    patternsMatching(event.eventType).map((pattern) => ({
      slot,
      applicationId: event.applicationId,
      pattern,
    })),
  );
  const rows = await matchStatement(pool, [
    pairs.map((p) => p.slot),
    pairs.map((p) => p.applicationId),
    pairs.map((p) => p.pattern),
  ]);
  const matched = distinct.map(() => ({ version: null as string | null, endpointIds: [] as string[] }));
  for (const row of rows) {
    const event = matched[row.slot];
    if (event === undefined) continue;
    event.version = row.version;
    if (row.id !== null) event.endpointIds.push(row.id);
  }
  return slots.map((slot) => matched[slot] as EventSubscribers);
}

// The version is read in the same statement, so it is the one the subscribers were read at.
// The patterns are gathered into an array once per event, in the CTE: built inside the
// endpoint filter, the array was rebuilt for every endpoint row (30 ms an event with 10,000).
// Subscribers are found in two parts, disjoint (an empty list overlaps nothing): endpoints
// listing a matching type, through the GIN index on event_types, and endpoints listing no
// type, through idx_endpoints_every_event. One condition with OR between the two could use
// neither index, and read every endpoint of every application (4 ms a statement with 10,000).
export const matchEndpointsSql = `WITH k AS (
     SELECT slot, application_id, array_agg(pattern) AS patterns
     FROM unnest($1::int[], $2::text[], $3::text[]) AS p(slot, application_id, pattern)
     GROUP BY slot, application_id
   )
   SELECT k.slot, a.endpoints_version::text AS version, e.id
   FROM k JOIN applications AS a ON a.id = k.application_id
   LEFT JOIN LATERAL (
     SELECT id FROM endpoints
     WHERE application_id = k.application_id AND is_active AND event_types && k.patterns
     UNION ALL
     SELECT id FROM endpoints
     WHERE application_id = k.application_id AND is_active AND cardinality(event_types) = 0
   ) AS e ON true
   ORDER BY k.slot, e.id`;

// One row per subscriber, or one with a null id for an event that has none: the version comes either way.
const matchStatement = preparedStatement<{ slot: number; version: string; id: string | null }>(
  "ingest.match-endpoints",
  matchEndpointsSql,
);
