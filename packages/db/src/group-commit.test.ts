import { describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit.js";

/** A statement that stays open until the test lets it finish. */
function gatedRun() {
  const calls: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (items: readonly number[]) => {
    calls.push([...items]);
    return new Promise<number[]>((resolve) => {
      gates.push(() => resolve(items.map((n) => n * 10)));
    });
  };
  return { calls, run, openNext: () => gates.shift()?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createGroupCommit", () => {
  it("sends what is asked for in one turn of the event loop together, and groups what arrives meanwhile", async () => {
    const { calls, run, openNext } = gatedRun();
    const add = createGroupCommit({ run, maxInFlight: 1 });
    const first = [add(1), add(2)];
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([[1, 2]]);
    const rest = [add(3), add(4), add(5)];
    await tick();
    expect(calls).toHaveLength(1);
    openNext();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await tick();
    expect(calls).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    openNext();
    expect(await Promise.all(rest)).toEqual([30, 40, 50]);
  });

  it("an item asked for alone goes alone, without waiting for company", async () => {
    const { calls, run, openNext } = gatedRun();
    const add = createGroupCommit({ run });
    const one = add(7);
    await tick();
    expect(calls).toEqual([[7]]);
    openNext();
    expect(await one).toBe(70);
  });

  it("runs up to maxInFlight statements at once and splits batches by weight", async () => {
    const { calls, run, openNext } = gatedRun();
    const add = createGroupCommit({ run, maxInFlight: 2, maxBatch: 5, weight: (n: number) => n });
    const all = [add(1), add(2), add(3), add(1), add(9), add(1)];
    await tick();
    // Two statements started at once, each as heavy as maxBatch allows; the rest waits.
    expect(calls).toEqual([
      [1, 2],
      [3, 1],
    ]);
    for (let i = 0; i < 4; i++) {
      openNext();
      await tick();
    }
    expect(calls).toEqual([[1, 2], [3, 1], [9], [1]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 10, 90, 10]);
  });

  it("with isolateFailures, a failing batch is retried item by item so only the bad item fails", async () => {
    const calls: number[][] = [];
    const add = createGroupCommit({
      isolateFailures: true,
      maxInFlight: 1,
      run: async (items: readonly number[]) => {
        calls.push([...items]);
        await tick();
        if (items.includes(13)) throw new Error("bad item");
        return items.map((n) => -n);
      },
    });
    const results = await Promise.allSettled([add(1), add(2), add(13), add(4)]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      -1,
      -2,
      "bad item",
      -4,
    ]);
    expect(calls).toEqual([[1, 2, 13, 4], [1], [2], [13], [4]]);
  });

  it("fails the whole batch at once when the database is unreachable", async () => {
    let statements = 0;
    const add = createGroupCommit({
      isolateFailures: true,
      maxInFlight: 1,
      run: async (): Promise<number[]> => {
        statements++;
        await tick();
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    const results = await Promise.allSettled([add(1), add(2), add(3)]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(statements).toBe(1);
  });
});
