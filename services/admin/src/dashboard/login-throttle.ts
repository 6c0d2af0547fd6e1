/** Options of {@link createLoginThrottle}. */
export interface LoginThrottleOptions {
  /** @defaultValue 10 */
  maxFailures?: number;
  /** @defaultValue 5 minutes */
  windowMs?: number;
  now?: () => number;
}

/** Slows down guessing the admin token: after too many failed logins from one address, refuse for a while. */
export interface LoginThrottle {
  /** Milliseconds until `address` may try again, or 0 when it may now. */
  retryAfterMs(address: string): number;
  failed(address: string): void;
  succeeded(address: string): void;
}

/** Counts failed logins per client address in a fixed window, in memory. */
export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();
  function current(address: string) {
    const entry = failures.get(address);
    if (entry !== undefined && now() - entry.since >= windowMs) {
      failures.delete(address);
      return undefined;
    }
    return entry;
  }
  return {
    retryAfterMs(address) {
      const entry = current(address);
      return entry !== undefined && entry.count >= maxFailures ? entry.since + windowMs - now() : 0;
    },
    failed(address) {
      const entry = current(address);
      if (entry === undefined) {
        // Bounded: a flood of addresses cannot grow the map without limit.
        if (failures.size >= 10_000) failures.clear();
        failures.set(address, { count: 1, since: now() });
      } else entry.count += 1;
    },
    succeeded(address) {
      failures.delete(address);
    },
  };
}
