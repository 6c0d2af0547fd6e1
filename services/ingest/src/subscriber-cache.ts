/** An event type's subscribers in one application, as matched at one version of its endpoints. */
export interface CachedSubscribers {
  version: string;
  endpointIds: readonly string[];
}

/**
 * Subscribers per application and event type, kept between messages so that
 * storing a message need not match it first. Entries are only as good as the
 * `endpoints_version` they were matched at: the statement that stores a
 * message checks it (store-messages.ts), and the writer forgets an
 * application whose version moved on.
 */
export interface SubscriberCache {
  get(applicationId: string, eventType: string): CachedSubscribers | undefined;
  /** Keeps a match; one made at an older version than what is kept is ignored. */
  put(applicationId: string, eventType: string, subscribers: CachedSubscribers): void;
  forget(applicationId: string): void;
}

interface ApplicationEntry {
  version: bigint;
  byEventType: Map<string, CachedSubscribers>;
  /** The weight of its matches (see weightOf). */
  weight: number;
}

// What a match costs to keep: its endpoint ids, and one for the entry itself.
const weightOf = (subscribers: CachedSubscribers) => 1 + subscribers.endpointIds.length;

/**
 * A cache holding at most `maxWeight` endpoint ids in all (plus one per
 * match): an application with thousands of endpoints and many event types
 * would otherwise keep thousands of ids per type. Past the bound, the
 * applications cached longest ago go first; a single match larger than the
 * bound is not kept.
 */
export function createSubscriberCache(maxWeight = 100_000): SubscriberCache {
  const applications = new Map<string, ApplicationEntry>();
  let total = 0;

  function forget(applicationId: string): void {
    const entry = applications.get(applicationId);
    if (entry === undefined) return;
    total -= entry.weight;
    applications.delete(applicationId);
  }

  function fresh(applicationId: string, version: bigint): ApplicationEntry {
    forget(applicationId);
    const entry = { version, byEventType: new Map<string, CachedSubscribers>(), weight: 0 };
    applications.set(applicationId, entry);
    return entry;
  }

  return {
    get: (applicationId, eventType) => applications.get(applicationId)?.byEventType.get(eventType),
    put(applicationId, eventType, subscribers) {
      const weight = weightOf(subscribers);
      if (weight > maxWeight) return;
      const version = BigInt(subscribers.version);
      let entry = applications.get(applicationId);
      if (entry !== undefined && version < entry.version) return;
      if (entry === undefined || version > entry.version) entry = fresh(applicationId, version);
      const replaced = entry.byEventType.get(eventType);
      const change = weight - (replaced === undefined ? 0 : weightOf(replaced));
      entry.byEventType.set(eventType, subscribers);
      entry.weight += change;
      total += change;
      for (const oldest of applications.keys()) {
        if (total <= maxWeight) return;
        if (oldest !== applicationId) forget(oldest);
      }
      // This one application alone holds more than the bound: it starts afresh with this match.
      if (total > maxWeight) {
        entry = fresh(applicationId, version);
        entry.byEventType.set(eventType, subscribers);
        entry.weight = weight;
        total += weight;
      }
    },
    forget,
  };
}
