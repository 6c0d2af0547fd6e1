/** Latency samples in milliseconds, kept in a growable typed array (a million samples is 8 MiB). */
export class Samples {
  private values = new Float64Array(1024);
  private length = 0;

  add(value: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  get count(): number {
    return this.length;
  }

  summary(): LatencySummary {
    return summarize(this.values.subarray(0, this.length));
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a set of samples (ms, rounded to 0.1 ms). */
export function summarize(values: Float64Array | number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const at = (q: number) => (n === 0 ? Number.NaN : (sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0));
  const round = (v: number) => Math.round(v * 10) / 10;
  const mean = n === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / n;
  return {
    count: n,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(n === 0 ? Number.NaN : (sorted[n - 1] ?? 0)),
    mean: round(mean),
  };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rounds to a few significant digits for the report. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - Math.ceil(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
