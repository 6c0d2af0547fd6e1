import { Samples } from "../stats.js";

export interface WorkerRun {
  /** Operations completed per second in the measured window. */
  perSecond: number;
  operations: number;
  errors: number;
  firstError: string | undefined;
  latency: ReturnType<Samples["summary"]>;
  seconds: number;
}

/**
 * Runs `concurrency` loops of `operation` for `warmupMs` (not counted) and then
 * `measureMs`, and reports the completion rate of the measured window.
 */
export async function runWorkers(
  concurrency: number,
  warmupMs: number,
  measureMs: number,
  operation: (worker: number) => Promise<void>,
): Promise<WorkerRun> {
  const began = performance.now();
  const windowStart = began + warmupMs;
  const windowEnd = windowStart + measureMs;
  let operations = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latency = new Samples();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < windowEnd) {
        const started = performance.now();
        try {
          await operation(worker);
          const ended = performance.now();
          if (ended >= windowStart && ended <= windowEnd) {
            operations++;
            latency.add(ended - started);
          }
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  return {
    perSecond: operations / (measureMs / 1000),
    operations,
    errors,
    firstError,
    latency: latency.summary(),
    seconds: measureMs / 1000,
  };
}
