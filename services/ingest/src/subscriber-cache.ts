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
}

/** A cache of at most `maxEventTypes` matches; past that, the applications cached longest ago go first. */
export function createSubscriberCache(maxEventTypes = 10_000): SubscriberCache {
  const applications = new Map<string, ApplicationEntry>();
  let size = 0;

  function forget(applicationId: string): void {
    const entry = applications.get(applicationId);
    if (entry === undefined) return;
    size -= entry.byEventType.size;
    applications.delete(applicationId);
  }

  return {
    get: (applicationId, eventType) => applications.get(applicationId)?.byEventType.get(eventType),
    put(applicationId, eventType, subscribers) {
      const version = BigInt(subscribers.version);
      let entry = applications.get(applicationId);
      if (entry !== undefined && version < entry.version) return;
      if (entry === undefined || version > entry.version) {
        forget(applicationId);
        entry = { version, byEventType: new Map() };
        applications.set(applicationId, entry);
      }
      if (!entry.byEventType.has(eventType)) size++;
      entry.byEventType.set(eventType, subscribers);
      for (const oldest of applications.keys()) {
        if (size <= maxEventTypes) return;
        if (oldest !== applicationId) forget(oldest);
      }
      // This one application alone has more event types than the cache holds: start it afresh.
      if (size > maxEventTypes) {
        forget(applicationId);
        applications.set(applicationId, { version, byEventType: new Map([[eventType, subscribers]]) });
        size = 1;
      }
    },
    forget,
  };
}
