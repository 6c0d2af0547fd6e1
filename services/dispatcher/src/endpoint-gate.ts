/** Per-endpoint protection inside one dispatcher process. */
export interface EndpointGateOptions {
  /** Attempts to one endpoint at once from this process. @defaultValue 10 */
  maxConcurrent?: number;
  /**
   * The same for a quick endpoint: one whose attempts here take under 250 ms on
   * average, whose last attempt succeeded, and none of whose attempts in flight
   * has run for a second. At least `maxConcurrent`. @defaultValue maxConcurrent
   */
  maxConcurrentQuick?: number;
  /**
   * How much of an endpoint's time (jobs sent back at capacity, one freed slot
   * each) may wait on JetStream before further jobs are marked `overflow`;
   * five times as much for a quick endpoint. @defaultValue 2000
   */
  overflowAfterMs?: number;
  /** Consecutive failures that open the circuit. @defaultValue 5 */
  failureThreshold?: number;
  /** How long an open circuit holds jobs back before letting one probe through. @defaultValue 30_000 */
  cooldownMs?: number;
  /** How long what is known of an idle endpoint (how quick it is) is kept after its last attempt. @defaultValue 60_000 */
  idleForgetMs?: number;
  now?: () => number;
}

export type GateEntry =
  | { admitted: true; release(outcome: "success" | "failure" | "none"): void }
  | {
      admitted: false;
      retryInMs: number;
      reason: "at capacity" | "circuit open";
      /**
       * Circuit open only because its probe is still out: the probe, not this job, is about
       * to tell whether the endpoint is back, so the job should come back soon rather than
       * take the backlog off JetStream again (a park made just after the probe succeeded
       * would hold a returning endpoint's backlog back for the whole next park).
       */
      probing?: boolean;
      /**
       * At capacity with more jobs already sent back than the endpoint takes in
       * `overflowAfterMs`: rather than wait on JetStream, where it would hold a
       * place in the consumer's ack-pending window that every endpoint shares,
       * the job should wait in PostgreSQL for `retryInMs`.
       */
      overflow?: boolean;
    };

interface EndpointState {
  inFlight: number;
  /** When each attempt in flight began. */
  startedAt: number[];
  /** When the last job sent back at capacity is due to find a free slot. */
  horizon: number;
  /** Moving average of this endpoint's attempt durations here, in ms; undefined before the first. */
  averageMs: number | undefined;
  consecutiveFailures: number;
  openUntil: number;
  probing: boolean;
  /** Jobs waiting in this process for one of the endpoint's slots, oldest first. */
  waiters: ((entry: GateEntry | undefined) => void)[];
  /** When its last attempt ended, if none is in flight and it is not failing. */
  idleSince: number | undefined;
}

// Before an endpoint's first attempt here has ended.
const atCapacityDefaultMs = 100;
// The soonest a job sent back at capacity comes back, however quick the endpoint.
const minRetryMs = 25;
// Jobs at capacity wait here for a slot only for endpoints this quick on average: their
// wait is short, while a slow endpoint's waiting jobs would hold workers others need.
const waitForQuickerThanMs = 250;
// An attempt in flight this long may be one that hangs: its endpoint is no longer quick,
// however fast its average (which only hears of an attempt when it ends).
const quickAttemptsEndWithinMs = 1000;
// Jobs sent back at capacity beyond this much of the endpoint's time wait in PostgreSQL;
// for a quick endpoint, beyond this many times as much.
const defaultOverflowAfterMs = 2000;
const quickOverflowFactor = 5;

/**
 * Keeps one slow or failing endpoint from taking every worker: at most
 * `maxConcurrent` attempts per endpoint (`maxConcurrentQuick` while it answers
 * quickly: a quick endpoint frees its workers as fast as it takes them, and
 * one busy endpoint's deliveries would otherwise be bounded by the cap divided
 * by an attempt's time), and a circuit breaker that, after
 * `failureThreshold` failures in a row, holds that endpoint's jobs back for a
 * cooldown and then lets a single probe decide whether to close again. Held
 * back jobs go back without counting as attempts: to JetStream, or, when their
 * turn is far off (`overflow`), to PostgreSQL; a few jobs for a quick endpoint
 * may instead wait here for a slot (`waitForSlot`).
 */
export function createEndpointGate(options: EndpointGateOptions = {}) {
  const maxConcurrent = options.maxConcurrent ?? 10;
  const maxConcurrentQuick = Math.max(options.maxConcurrentQuick ?? maxConcurrent, maxConcurrent);
  const overflowAfterMs = options.overflowAfterMs ?? defaultOverflowAfterMs;
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const idleForgetMs = options.idleForgetMs ?? 60_000;
  const now = options.now ?? Date.now;
  const states = new Map<string, EndpointState>();
  let lastSweep = now();

  // Idle endpoints are forgotten a while after their last attempt, so the map stays as small
  // as the recent work. Not at once: a busy endpoint fed in bursts (batches of messages) is
  // idle between them, and forgetting its speed each time put every burst back under the
  // cap for an endpoint not known to be quick, sending most of it back to JetStream.
  function forgetIdle(t: number): void {
    if (t - lastSweep < idleForgetMs) return;
    lastSweep = t;
    for (const [endpointId, s] of states) {
      if (s.idleSince !== undefined && t - s.idleSince >= idleForgetMs) states.delete(endpointId);
    }
  }

  function state(endpointId: string): EndpointState {
    let s = states.get(endpointId);
    if (!s) {
      s = {
        inFlight: 0,
        startedAt: [],
        horizon: 0,
        averageMs: undefined,
        consecutiveFailures: 0,
        openUntil: 0,
        probing: false,
        waiters: [],
        idleSince: undefined,
      };
      states.set(endpointId, s);
    }
    return s;
  }

  function isQuick(s: EndpointState): boolean {
    // Quick means answering well: an endpoint that refuses connections fails in a millisecond,
    // and taking that for speed let a dead endpoint's backlog in at the raised cap (hundreds
    // of attempts at once) before the circuit opened.
    if (s.consecutiveFailures > 0) return false;
    if (s.averageMs === undefined || s.averageMs > waitForQuickerThanMs) return false;
    const t = now();
    return s.startedAt.every((started) => t - started < quickAttemptsEndWithinMs);
  }

  function limit(quick: boolean): number {
    return quick ? maxConcurrentQuick : maxConcurrent;
  }

  /** How often one of the endpoint's slots frees up: an attempt's time ÷ the cap. */
  function slotMs(s: EndpointState, quick: boolean): number {
    return Math.max(s.averageMs ?? atCapacityDefaultMs, minRetryMs) / limit(quick);
  }

  function admit(s: EndpointState, probe: boolean): GateEntry {
    const admittedAt = now();
    s.inFlight++;
    s.idleSince = undefined;
    s.startedAt.push(admittedAt);
    if (probe) s.probing = true;
    let released = false;
    return {
      admitted: true,
      release(outcome) {
        if (released) return;
        released = true;
        s.inFlight--;
        s.startedAt.splice(s.startedAt.indexOf(admittedAt), 1);
        const took = now() - admittedAt;
        if (probe && outcome === "success") {
          // The endpoint is back after an outage: what it was like while down (attempts that
          // hung for the whole timeout, and the far-off turns given to jobs sent back at that
          // pace) says nothing of it now. Kept, a 30 s average would have held its returning
          // backlog to one attempt every few seconds, and its turns still further back.
          s.averageMs = took;
          s.horizon = now();
        } else {
          s.averageMs = s.averageMs === undefined ? took : s.averageMs * 0.8 + took * 0.2;
        }
        if (probe) s.probing = false;
        if (outcome === "success") s.consecutiveFailures = 0;
        if (outcome === "failure") {
          s.consecutiveFailures++;
          if (s.consecutiveFailures >= threshold) s.openUntil = now() + cooldownMs;
        }
        // The freed slot goes straight to the oldest waiting job; with the circuit open, none does.
        if (s.consecutiveFailures >= threshold) {
          for (const waiter of s.waiters.splice(0)) waiter(undefined);
        } else if (s.inFlight < limit(isQuick(s))) {
          s.waiters.shift()?.(admit(s, false));
        }
        if (s.inFlight === 0 && s.consecutiveFailures === 0) s.idleSince = now();
      },
    };
  }

  return {
    enter(endpointId: string): GateEntry {
      const t = now();
      forgetIdle(t);
      const s = state(endpointId);
      const open = s.consecutiveFailures >= threshold;
      if (open && (t < s.openUntil || s.probing)) {
        return {
          admitted: false,
          retryInMs: Math.max(s.openUntil - t, 1000),
          reason: "circuit open",
          ...(t >= s.openUntil ? { probing: true } : {}),
        };
      }
      const quick = isQuick(s);
      if (s.inFlight >= limit(quick) || s.waiters.length > 0) {
        // Each job sent back gets the next free slot after those sent back before it.
        // Sending them all back for one attempt's time brought a burst back at once, to be
        // sent back again and again.
        s.horizon = Math.max(s.horizon, t) + slotMs(s, quick);
        const retryInMs = Math.max(Math.round(s.horizon - t), minRetryMs);
        // A quick endpoint's jobs drain fast, and moving them through PostgreSQL costs more
        // than they wait: only a longer queue of them goes there.
        const overflowAt = quick ? overflowAfterMs * quickOverflowFactor : overflowAfterMs;
        return { admitted: false, retryInMs, reason: "at capacity", overflow: retryInMs > overflowAt };
      }
      return admit(s, open);
    },
    /**
     * For a job refused "at capacity": waits in this process, for at most the refusal's
     * `retryInMs`, for one of the endpoint's slots, rather than go back to JetStream and
     * come back, over and over while a burst drains. Only for quick endpoints, up to
     * `maxConcurrent` jobs each (waiting jobs hold workers too: a quick endpoint at its
     * raised cap with as many waiting would take every one), and not for a job whose turn is
     * so far off that it goes to PostgreSQL; otherwise (or when the wait ends) the
     * refusal stands.
     */
    async waitForSlot(endpointId: string, refusal: GateEntry): Promise<GateEntry> {
      const s = states.get(endpointId);
      if (
        refusal.admitted ||
        refusal.reason !== "at capacity" ||
        refusal.overflow ||
        s === undefined ||
        !isQuick(s) ||
        s.waiters.length >= maxConcurrent
      )
        return refusal;
      return new Promise((resolve) => {
        const waiter = (entry: GateEntry | undefined) => {
          clearTimeout(timer);
          // It took a slot now rather than the one it was given on the horizon: give that back.
          if (entry) s.horizon = Math.max(s.horizon - slotMs(s, isQuick(s)), now());
          resolve(entry ?? refusal);
        };
        const timer = setTimeout(() => {
          const at = s.waiters.indexOf(waiter);
          if (at >= 0) s.waiters.splice(at, 1);
          resolve(refusal);
        }, refusal.retryInMs);
        s.waiters.push(waiter);
      });
    },
    /** Endpoints whose circuit is open right now. */
    openCircuits(): number {
      let open = 0;
      for (const s of states.values()) if (s.consecutiveFailures >= threshold) open++;
      return open;
    },
  };
}

export type EndpointGate = ReturnType<typeof createEndpointGate>;
