// End to end: messages in through ingest, deliveries out of the dispatcher to
// the receiver, for a given fan-out. Finds the highest sustained rate (a
// saturation probe, then open-loop trials around it) and measures latency.
import { openLoopMaxInFlight, type Protocol } from "../load.js";
import { createApplication, createEndpoints } from "../setup.js";
import { type Stack, startStack } from "../stack.js";
import type { BenchContext } from "./context.js";
import { runTrial, type TrialResult } from "./trial.js";

export interface E2eResult {
  fanout: number;
  /** How messages went in: one a call, or in SendMessages batches. */
  protocol: Protocol;
  /** Closed loop, as fast as ingest accepts: what the dispatcher delivers under full ingest load. */
  probe: TrialResult;
  trials: TrialResult[];
  /** The best sustained trial; undefined when none was. */
  peak: TrialResult | undefined;
  /** Latency windows (fan-out 1 only): a moderate rate and 80% of the peak. */
  latency: { moderate?: TrialResult; at80?: TrialResult };
  /**
   * Fan-out 1 only: a window offered `overloadFactor` × the sustained peak, last of all. An
   * overloaded installation should go on delivering about as much as it sustains, not spend
   * its CPU sending jobs it cannot serve yet round JetStream.
   */
  overload?: TrialResult;
  peakRssMiB: Stack["peakRss"];
}

export async function startDeliveryStack(
  ctx: BenchContext,
  scenario: string,
  fanout: number,
  profileDir?: string,
) {
  const stack = await startStack({
    nats: ctx.nats,
    services: ["admin", "ingest", "dispatcher"],
    logDir: ctx.logDir,
    scenario,
    ...(profileDir ? { profileDir } : {}),
  });
  try {
    const app = await createApplication(stack.adminUrl);
    await createEndpoints(
      stack.adminUrl,
      app,
      Array.from({ length: fanout }, (_, i) => ({
        url: `${ctx.receiver.baseUrl}/hook/${i}`,
        eventTypes: ["session.completed"],
      })),
    );
    return { stack, app };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** How far beyond the sustained peak the overload window offers. */
export const overloadFactor = 1.3;

// Trials beyond `options.trials` while none has failed yet.
const extraTrialsWhileSustained = 3;

/** The next rate to try, bisecting between the best sustained and the lowest unsustained rate seen. */
function nextRate(rate: number, best: number, failed: number): number {
  if (failed === Number.POSITIVE_INFINITY) return rate * 1.25;
  if (best === 0) return rate * 0.7;
  return (best + failed) / 2;
}

export async function measureEndToEnd(
  ctx: BenchContext,
  fanout: number,
  withLatency: boolean,
  protocol: Protocol = "connect-binary",
): Promise<E2eResult> {
  const { options } = ctx;
  const scenario = `e2e-fanout${fanout}${protocol === "connect-binary-batch" ? "-batched" : ""}`;
  ctx.log(`${scenario}: starting ingest, dispatcher and admin with ${fanout} endpoint(s)`);
  const { stack, app } = await startDeliveryStack(ctx, scenario, fanout);
  const base = { stack, app, fanout, protocol, warmupMs: options.warmupMs, measureMs: options.measureMs };
  try {
    // Warm the whole path (connections, JIT) before anything is measured.
    await runTrial(ctx, {
      ...base,
      phase: `${scenario}/jit`,
      mode: { kind: "open", rate: Math.max(1, 50 / fanout), maxInFlight: 64 },
    });

    const probe = await runTrial(ctx, {
      ...base,
      phase: `${scenario}/probe`,
      mode: { kind: "closed", concurrency: options.clients },
      maxBacklog: Math.max(1000, 2 * fanout),
    });
    ctx.log(
      `${scenario}: probe accepted ${probe.acceptedPerSecond} msg/s, delivered ${probe.deliveredPerSecond}/s`,
    );
    const trials: TrialResult[] = [];
    let best = 0;
    let failed = Number.POSITIVE_INFINITY;
    let rate = Math.max(1, Math.min(probe.deliveredPerSecond, probe.acceptedPerSecond * fanout) / fanout);
    // While every trial is sustained the limit lies above them all: a few more trials go on
    // looking for it, or a slow probe (the machine busy elsewhere) would set the figure.
    const maxTrials = options.trials + extraTrialsWhileSustained;
    for (let i = 0; i < maxTrials; i++) {
      if (i >= options.trials && failed !== Number.POSITIVE_INFINITY) break;
      const trial = await runTrial(ctx, {
        ...base,
        phase: `${scenario}/trial${i + 1}`,
        mode: { kind: "open", rate, maxInFlight: openLoopMaxInFlight },
      });
      trials.push(trial);
      ctx.log(
        `${scenario}: offered ${trial.offeredPerSecond} msg/s → delivered ${trial.deliveredPerSecond}/s, ` +
          `backlog ${trial.backlogStart}→${trial.backlogEnd}, ${trial.sustained ? "sustained" : "NOT sustained"}`,
      );
      if (trial.sustained) best = Math.max(best, rate);
      else failed = Math.min(failed, rate);
      if (failed !== Number.POSITIVE_INFINITY && best > 0 && failed / best < 1.1) break;
      rate = nextRate(rate, best, failed);
    }
    const sustainedTrials = trials.filter((t) => t.sustained);
    const peak = sustainedTrials.sort((a, b) => b.deliveredPerSecond - a.deliveredPerSecond)[0];

    const latency: E2eResult["latency"] = {};
    if (withLatency) {
      const latencyWindow = { ...base, measureMs: options.measureMs * 1.5 };
      latency.moderate = await runTrial(ctx, {
        ...latencyWindow,
        phase: `${scenario}/moderate`,
        mode: { kind: "open", rate: options.moderateRate, maxInFlight: openLoopMaxInFlight },
      });
      const peakRate = peak?.offeredPerSecond ?? probe.deliveredPerSecond / fanout;
      latency.at80 = await runTrial(ctx, {
        ...latencyWindow,
        phase: `${scenario}/80pct`,
        mode: { kind: "open", rate: 0.8 * peakRate, maxInFlight: openLoopMaxInFlight },
      });
    }
    // Last, so the other windows are as they were before it existed.
    const overload =
      fanout === 1
        ? await runTrial(ctx, {
            ...base,
            phase: `${scenario}/overload`,
            mode: {
              kind: "open",
              rate: overloadFactor * (peak?.offeredPerSecond ?? probe.deliveredPerSecond / fanout),
              maxInFlight: openLoopMaxInFlight,
            },
          })
        : undefined;
    if (overload)
      ctx.log(
        `${scenario}: overload offered ${overload.offeredPerSecond} msg/s → delivered ` +
          `${overload.deliveredPerSecond}/s, ${overload.jobsPerDelivery} jobs per delivery`,
      );
    await stack.stop();
    return {
      fanout,
      protocol,
      probe,
      trials,
      peak,
      latency,
      ...(overload ? { overload } : {}),
      peakRssMiB: stack.peakRss,
    };
  } finally {
    await stack.stop().catch(() => {});
  }
}
