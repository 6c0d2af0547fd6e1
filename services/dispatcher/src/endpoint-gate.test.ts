import { describe, expect, it } from "vitest";
import { createEndpointGate, type EndpointGate, type GateEntry } from "./endpoint-gate.js";

/** Enters `endpointId` until the gate refuses; returns the entries admitted (held open). */
function admitAll(gate: EndpointGate, endpointId: string): GateEntry[] {
  const entries: GateEntry[] = [];
  for (let entry = gate.enter(endpointId); entry.admitted; entry = gate.enter(endpointId))
    entries.push(entry);
  return entries;
}

describe("endpoint gate", () => {
  it("admits at most maxConcurrent attempts to one endpoint, others freely", () => {
    const gate = createEndpointGate({ maxConcurrent: 2 });
    const a = gate.enter("ep_a");
    const b = gate.enter("ep_a");
    expect(a.admitted && b.admitted).toBe(true);
    expect(gate.enter("ep_a")).toMatchObject({ admitted: false, reason: "at capacity" });
    expect(gate.enter("ep_b").admitted).toBe(true);
    if (a.admitted) a.release("success");
    expect(gate.enter("ep_a").admitted).toBe(true);
  });

  it("allows a quick endpoint maxConcurrentQuick attempts, a slow or hanging one maxConcurrent", () => {
    let clock = 0;
    const gate = createEndpointGate({ maxConcurrent: 2, maxConcurrentQuick: 4, now: () => clock });
    /** Attempts admitted at once after one attempt of `ms` (held open entries stay in flight). */
    const admittedAfter = (endpointId: string, ms: number) => {
      const keep = gate.enter(endpointId);
      const first = gate.enter(endpointId);
      clock += ms;
      if (first.admitted) first.release("success");
      let admitted = 1;
      while (gate.enter(endpointId).admitted) admitted++;
      if (keep.admitted) keep.release("none");
      return admitted;
    };
    // Before any attempt has ended, an endpoint is not known to be quick.
    expect(gate.enter("ep_new").admitted && gate.enter("ep_new").admitted).toBe(true);
    expect(gate.enter("ep_new").admitted).toBe(false);
    expect(admittedAfter("ep_quick", 20)).toBe(4);
    expect(admittedAfter("ep_slow", 400)).toBe(2);
    // Quick on average, but an attempt has been out for a second: perhaps it hangs.
    const hung = gate.enter("ep_hangs");
    const quick = gate.enter("ep_hangs");
    clock += 10;
    if (quick.admitted) quick.release("success");
    expect(gate.enter("ep_hangs").admitted).toBe(true);
    clock += 1000;
    expect(gate.enter("ep_hangs")).toMatchObject({ admitted: false, reason: "at capacity" });
    if (hung.admitted) hung.release("failure");
  });

  it("does not take an endpoint that fails fast for a quick one", () => {
    let clock = 0;
    const gate = createEndpointGate({ maxConcurrent: 2, maxConcurrentQuick: 4, now: () => clock });
    const admitted = () => admitAll(gate, "ep_a");
    const [refused, other] = admitted();
    clock += 1;
    // A refused connection: over in a millisecond, but a failure.
    if (refused?.admitted) refused.release("failure");
    const afterFailure = admitted();
    expect(afterFailure).toHaveLength(1);
    for (const entry of [other, ...afterFailure]) if (entry?.admitted) entry.release("success");
    // Answering quickly again: the raised cap is back.
    expect(admitted()).toHaveLength(4);
  });

  it("starts afresh when a probe succeeds: attempts that hung while the endpoint was down do not slow its return", () => {
    let clock = 0;
    const gate = createEndpointGate({
      maxConcurrent: 2,
      maxConcurrentQuick: 4,
      failureThreshold: 2,
      cooldownMs: 1000,
      now: () => clock,
    });
    // Down and hanging: both attempts run into the timeout, and the circuit opens.
    const hung = admitAll(gate, "ep_a");
    clock += 30_000;
    for (const entry of hung) if (entry.admitted) entry.release("failure");
    clock += 1000;
    const probe = gate.enter("ep_a");
    expect(probe.admitted).toBe(true);
    clock += 5;
    if (probe.admitted) probe.release("success");
    // Quick at once (a 30 s average would have kept it at 2), and a job sent back at the cap
    // is due again in moments, not in seconds of the outage's pace.
    expect(admitAll(gate, "ep_a")).toHaveLength(4);
    const refused = gate.enter("ep_a");
    expect(refused).toMatchObject({ admitted: false, reason: "at capacity", overflow: false });
    expect(refused.admitted === false && refused.retryInMs).toBeLessThan(100);
  });

  it("remembers how quick an endpoint is while it idles between bursts, and forgets it after idleForgetMs", () => {
    let clock = 0;
    const gate = createEndpointGate({
      maxConcurrent: 2,
      maxConcurrentQuick: 4,
      idleForgetMs: 60_000,
      now: () => clock,
    });
    const burst = () => {
      const entries = admitAll(gate, "ep_a");
      clock += 5;
      for (const entry of entries) if (entry.admitted) entry.release("success");
      return entries.length;
    };
    // Not known to be quick before an attempt has ended.
    expect(burst()).toBe(2);
    // Idle between bursts (nothing in flight): still known to be quick.
    clock += 1000;
    expect(burst()).toBe(4);
    clock += 59_000;
    expect(burst()).toBe(4);
    // A minute idle, and it is a stranger again.
    clock += 60_000;
    expect(burst()).toBe(2);
  });

  it("sends jobs at capacity back one freed slot apart, and those beyond overflowAfterMs to PostgreSQL", () => {
    let clock = 0;
    const gate = createEndpointGate({ maxConcurrent: 2, overflowAfterMs: 120, now: () => clock });
    /** Runs `attempts` attempts of `ms` each with another held open, fills the cap, then takes `n` refusals. */
    const refusalsAfter = (endpointId: string, attempts: number, ms: number, n: number) => {
      gate.enter(endpointId);
      for (let i = 0; i < attempts; i++) {
        const entry = gate.enter(endpointId);
        clock += ms;
        if (entry.admitted) entry.release("success");
      }
      gate.enter(endpointId);
      return Array.from({ length: n }, () => {
        const refused = gate.enter(endpointId);
        return refused.admitted ? undefined : [refused.retryInMs, refused.overflow];
      });
    };
    // No attempt has ended yet: 100 ms an attempt, two slots, so one frees up every 50 ms.
    expect(refusalsAfter("ep_new", 0, 0, 3)).toEqual([
      [50, false],
      [100, false],
      [150, true],
    ]);
    // Never sooner than 25 ms, however quick the endpoint.
    expect(refusalsAfter("ep_fast", 5, 4, 2)).toEqual([
      [25, false],
      [25, false],
    ]);
    // A slow endpoint: a slot every 2.5 s, so even the first job waits in PostgreSQL.
    expect(refusalsAfter("ep_slow", 3, 5000, 1)).toEqual([[2500, true]]);
    // Once the jobs sent back are due, the queue of them starts over.
    clock += 1000;
    expect(gate.enter("ep_new")).toMatchObject({ admitted: false, retryInMs: 50, overflow: false });
  });

  it("opens after consecutive failures, then lets one probe through after the cooldown", () => {
    let clock = 0;
    const gate = createEndpointGate({ failureThreshold: 3, cooldownMs: 10_000, now: () => clock });
    for (let i = 0; i < 3; i++) {
      const entry = gate.enter("ep");
      if (entry.admitted) entry.release("failure");
    }
    expect(gate.openCircuits()).toBe(1);
    const held = gate.enter("ep");
    expect(held).toMatchObject({ admitted: false, reason: "circuit open", retryInMs: 10_000 });
    expect(held).not.toHaveProperty("probing");
    clock = 10_001;
    const probe = gate.enter("ep");
    expect(probe.admitted).toBe(true);
    // While the probe is out, nothing else goes: it comes back in a second, when the probe
    // will have told whether the endpoint is back, rather than be held as by the circuit.
    expect(gate.enter("ep")).toMatchObject({
      admitted: false,
      reason: "circuit open",
      retryInMs: 1000,
      probing: true,
    });
    if (probe.admitted) probe.release("success");
    expect(gate.openCircuits()).toBe(0);
    expect(gate.enter("ep").admitted).toBe(true);
  });

  it("reopens for another cooldown when the probe fails", () => {
    let clock = 0;
    const gate = createEndpointGate({ failureThreshold: 1, cooldownMs: 5_000, now: () => clock });
    const first = gate.enter("ep");
    if (first.admitted) first.release("failure");
    clock = 6_000;
    const probe = gate.enter("ep");
    if (probe.admitted) probe.release("failure");
    expect(gate.enter("ep")).toMatchObject({ admitted: false, retryInMs: 5_000 });
  });

  describe("waitForSlot", () => {
    /** A gate whose endpoint has a known average attempt time and both of its slots taken. */
    function busyGate(averageMs: number, threshold = 5) {
      let clock = 0;
      const gate = createEndpointGate({ maxConcurrent: 2, failureThreshold: threshold, now: () => clock });
      const warmup = gate.enter("ep");
      clock += averageMs;
      const first = gate.enter("ep");
      if (warmup.admitted) warmup.release("success");
      const second = gate.enter("ep");
      const refusal = gate.enter("ep");
      return { gate, first, second, refusal };
    }
    const release = (entry: GateEntry, outcome: "success" | "failure" = "success") => {
      if (entry.admitted) entry.release(outcome);
    };

    it("hands the next free slot to the oldest waiting job, and refuses newcomers meanwhile", async () => {
      const { gate, first, refusal } = busyGate(10);
      expect(refusal).toMatchObject({ admitted: false, reason: "at capacity", retryInMs: 25 });
      const waiting = [gate.waitForSlot("ep", refusal), gate.waitForSlot("ep", refusal)];
      release(first);
      expect(gate.enter("ep")).toMatchObject({ admitted: false, reason: "at capacity" });
      const [got, gaveUp] = await Promise.all(waiting);
      expect(got?.admitted).toBe(true);
      // Nobody freed a second slot within the wait: the refusal stands.
      expect(gaveUp).toBe(refusal);
    });

    it("does not wait for a slow endpoint, nor with maxConcurrent jobs already waiting", async () => {
      const slow = busyGate(2000);
      expect(await slow.gate.waitForSlot("ep", slow.refusal)).toBe(slow.refusal);
      const { gate, refusal } = busyGate(10);
      const waiting = [gate.waitForSlot("ep", refusal), gate.waitForSlot("ep", refusal)];
      expect(await gate.waitForSlot("ep", refusal)).toBe(refusal);
      await Promise.all(waiting);
    });

    it("lets at most maxConcurrent jobs wait at a raised cap, and none whose turn is for PostgreSQL", async () => {
      let clock = 0;
      const gate = createEndpointGate({
        maxConcurrent: 2,
        maxConcurrentQuick: 4,
        // Quick: 5 × 6 = 30 ms.
        overflowAfterMs: 6,
        now: () => clock,
      });
      const keeper = gate.enter("ep");
      const warmup = gate.enter("ep");
      clock += 10;
      release(warmup);
      const held = [keeper, gate.enter("ep"), gate.enter("ep"), gate.enter("ep")];
      expect(held.every((e) => e.admitted)).toBe(true);
      // A slot frees up every 25 ms ÷ 4 here: the first job sent back waits 6 ms for its turn.
      const refusal = gate.enter("ep");
      expect(refusal).toMatchObject({ admitted: false, overflow: false });
      const waiting = [gate.waitForSlot("ep", refusal), gate.waitForSlot("ep", refusal)];
      /** What waitForSlot answers at once, or "waits". */
      const atOnce = (r: GateEntry) =>
        Promise.race([gate.waitForSlot("ep", r), new Promise((done) => setTimeout(() => done("waits"), 5))]);
      expect(await atOnce(refusal)).toBe(refusal);
      // The fifth job sent back would wait 31 ms, beyond 30: it goes to PostgreSQL without waiting here.
      for (let i = 0; i < 3; i++)
        expect(gate.enter("ep")).toMatchObject({ admitted: false, overflow: false });
      const far = gate.enter("ep");
      expect(far).toMatchObject({ admitted: false, overflow: true });
      expect(await atOnce(far)).toBe(far);
      release(held[0] as GateEntry);
      expect((await waiting[0])?.admitted).toBe(true);
      await waiting[1];
    });

    it("lets waiting jobs go when the circuit opens", async () => {
      const { gate, first, refusal } = busyGate(10, 1);
      const waiting = gate.waitForSlot("ep", refusal);
      release(first, "failure");
      expect(await waiting).toBe(refusal);
      expect(gate.openCircuits()).toBe(1);
    });
  });
});
