import { isDatabaseUnavailable } from "./unavailable.js";

export interface GroupCommitOptions<In, Out> {
  /** Writes many items in one statement; returns one result per item, in their order. */
  run(items: readonly In[]): Promise<readonly Out[]>;
  /** How much an item counts against `maxBatch` (e.g. its rows). @defaultValue 1 */
  weight?(item: In): number;
  /** Largest batch, in `weight` units; a heavier item still goes, alone. @defaultValue 500 */
  maxBatch?: number;
  /** Statements running at once. @defaultValue 2 */
  maxInFlight?: number;
  /**
   * When a batch of several fails, run each of its items alone, so one bad
   * item (a unique violation, a row deleted meanwhile) fails alone rather
   * than failing everyone it was batched with. Not when the database is
   * unreachable: then every item fails at once.
   */
  isolateFailures?: boolean;
}

interface Pending<In, Out> {
  item: In;
  resolve(result: Out): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items asked for in the same turn of the event loop, or while
 * `maxInFlight` statements are running, go together in the next one. Under
 * load one statement (and one commit) serves many callers; an idle process
 * sends an item when the turn ends, without waiting for company (no timer).
 * Each caller's promise settles when its statement has.
 */
export function createGroupCommit<In, Out>(options: GroupCommitOptions<In, Out>): (item: In) => Promise<Out> {
  const weight = options.weight ?? (() => 1);
  const maxBatch = options.maxBatch ?? 500;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Pending<In, Out>[] = [];
  let inFlight = 0;

  function take(): Pending<In, Out>[] {
    const batch: Pending<In, Out>[] = [];
    let size = 0;
    while (queue.length > 0) {
      const next = queue[0] as Pending<In, Out>;
      const w = weight(next.item);
      if (batch.length > 0 && size + w > maxBatch) break;
      batch.push(next);
      queue.shift();
      size += w;
    }
    return batch;
  }

  async function write(batch: readonly Pending<In, Out>[]): Promise<void> {
    try {
      const results = await options.run(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(results[i] as Out);
      });
    } catch (error) {
      if (batch.length > 1 && options.isolateFailures && !isDatabaseUnavailable(error)) {
        for (const p of batch) await write([p]);
        return;
      }
      for (const p of batch) p.reject(error);
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      inFlight++;
      void write(take()).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  // The first item waits for the end of the event loop's turn: items asked for by the same
  // burst of I/O (a pull of several jobs, HTTP requests read together) then share a statement.
  let scheduled = false;
  function schedulePump(): void {
    if (scheduled || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  }

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedulePump();
    });
}
