// One measured window of offered load against a running stack: what was
// offered, accepted and delivered, how the backlog moved, the latency of the
// deliveries, and the CPU every process spent.
import { databaseCounters, jobsHandedOut } from "../infra.js";
import { createSender, type Load, type LoadMode, type Protocol, type Send, startLoad } from "../load.js";
import type { PhaseStats } from "../receiver/protocol.js";
import type { BenchApp } from "../setup.js";
import type { Stack } from "../stack.js";
import { type LatencySummary, round, sleep } from "../stats.js";
import { type BenchContext, type CpuCost, cpuCost, drain, trackCpu } from "./context.js";

export interface TrialResult {
  phase: string;
  mode: LoadMode;
  fanout: number;
  /** Messages per second offered (open loop: the schedule; closed loop: started). */
  offeredPerSecond: number;
  acceptedPerSecond: number;
  /** Deliveries per second the accepted messages asked for. */
  offeredDeliveriesPerSecond: number;
  deliveredPerSecond: number;
  /** Deliveries accepted but not yet arrived, at the window's start and end. */
  backlogStart: number;
  backlogEnd: number;
  unsent: number;
  errors: number;
  firstError: string | undefined;
  /** Sustained: ingest kept up with the offer and the backlog did not grow. */
  sustained: boolean;
  /** Send → arrival at the receiver, of messages sent in the window. */
  arrival: PhaseStats;
  /** SendMessage round trip as the client saw it. */
  rpc: LatencySummary;
  cpu: CpuCost;
  /**
   * PostgreSQL work of the scenario's database per delivery in the window
   * (commits, rows inserted/updated/fetched), from pg_stat_database: approximate,
   * as backends report their counters about once a second.
   */
  postgresPerDelivery: Record<string, number>;
  /**
   * Jobs the dispatchers' consumer handed out per delivery in the window: 1 when
   * every job was settled the first time, more when jobs went back to JetStream
   * (NAKed at an endpoint's cap, say) and came round again. Undefined without a dispatcher.
   */
  jobsPerDelivery: number | undefined;
  /** Deliveries still missing when the drain after the window gave up. */
  undrained: number;
}

export interface TrialOptions {
  stack: Stack;
  app: BenchApp;
  phase: string;
  fanout: number;
  mode: LoadMode;
  protocol?: Protocol;
  eventType?: string;
  warmupMs: number;
  measureMs: number;
  /** Wait for every delivery of the window to arrive before returning. @defaultValue true */
  drainAfter?: boolean;
  /**
   * Closed loop only: clients pause while more than this many deliveries are
   * accepted but not arrived, so a saturating run measures what the whole path
   * sustains instead of piling up a backlog to drain afterwards.
   */
  maxBacklog?: number;
  send?: Send;
}

export async function runTrial(ctx: BenchContext, options: TrialOptions): Promise<TrialResult> {
  const { phase, fanout, mode } = options;
  const sender = options.send
    ? undefined
    : createSender(options.protocol ?? "connect-binary", options.stack.ingestUrl, options.app.apiKey, 8);
  const send = options.send ?? (sender as NonNullable<typeof sender>).send;
  const warm = `${phase}/warm-up`;
  const phases = [warm, phase];
  const delivered = async () => {
    const { counts } = await ctx.receiver.count(phases);
    return (counts[warm] ?? 0) + (counts[phase] ?? 0);
  };
  // Arrivals as last polled; the backlog counts messages in flight as `fanout` deliveries each,
  // so clients released together cannot overshoot the limit.
  let arrived = 0;
  const limit = options.maxBacklog;
  let current: Load | undefined;
  const hold = () => {
    const s = current?.snapshot();
    return (
      s === undefined || s.deliveries + s.inFlight * fanout - arrived > (limit ?? Number.POSITIVE_INFINITY)
    );
  };
  const effectiveMode: LoadMode = mode.kind === "closed" && limit !== undefined ? { ...mode, hold } : mode;
  const load = startLoad(
    send,
    options.eventType ?? "session.completed",
    effectiveMode,
    warm,
    sender?.messagesPerCall ?? 1,
  );
  current = load;
  const watcher =
    limit === undefined
      ? undefined
      : setInterval(() => {
          delivered().then((d) => {
            arrived = d;
          });
        }, 20);

  await sleep(options.warmupMs);
  load.setPhase(phase);
  const database = options.stack.namespace.database;
  const db0 = await databaseCounters(database);
  const jobs0 = await jobsHandedOut(ctx.nats, options.stack.namespace.prefix);
  const tracker = trackCpu(ctx, options.stack);
  const s0 = load.snapshot();
  const d0 = await delivered();
  await sleep(options.measureMs);
  const s1 = load.snapshot();
  const d1 = await delivered();
  const cpu = cpuCost(tracker.stop(), d1 - d0);
  const db1 = await databaseCounters(database);
  const jobs1 = await jobsHandedOut(ctx.nats, options.stack.namespace.prefix);
  const jobsPerDelivery =
    jobs0 === undefined || jobs1 === undefined ? undefined : round((jobs1 - jobs0) / Math.max(1, d1 - d0));
  const postgresPerDelivery = Object.fromEntries(
    Object.entries(db1).map(([k, v]) => [k, round((v - (db0[k] ?? 0)) / Math.max(1, d1 - d0))]),
  );
  const { final, rpcLatency, firstError } = await load.stop();
  clearInterval(watcher);
  await sender?.close();
  const undrained = options.drainAfter === false ? 0 : await drain(ctx, phases, final.deliveries);
  const arrival = await ctx.receiver.stats(phase);
  await ctx.receiver.forget(phases);

  const seconds = (s1.at - s0.at) / 1000;
  const offered = (s1.offered - s0.offered) / seconds;
  const accepted = (s1.accepted - s0.accepted) / seconds;
  const offeredDeliveries = (s1.deliveries - s0.deliveries) / seconds;
  const deliveredRate = (d1 - d0) / seconds;
  const backlogStart = s0.deliveries - d0;
  const backlogEnd = s1.deliveries - d1;
  const unsent = s1.unsent - s0.unsent;
  const errors = s1.errors - s0.errors;
  const growthPerSecond = (backlogEnd - backlogStart) / seconds;
  const sustained =
    mode.kind === "open" &&
    unsent === 0 &&
    errors === 0 &&
    // Ingest kept up: requests waiting for an answer did not pile up (a slow fan-out-100 request
    // still in flight at the window's end is not a shortfall).
    s1.offered - s1.accepted - (s0.offered - s0.accepted) <= 0.03 * (s1.offered - s0.offered) + 2 &&
    // One message's fan-out arrives as a burst; allow two messages' worth of jitter.
    growthPerSecond * seconds <= 0.05 * offeredDeliveries * seconds + 2 * fanout;
  return {
    phase,
    mode,
    fanout,
    offeredPerSecond: round(offered),
    acceptedPerSecond: round(accepted),
    offeredDeliveriesPerSecond: round(offeredDeliveries),
    deliveredPerSecond: round(deliveredRate),
    backlogStart,
    backlogEnd,
    unsent,
    errors,
    firstError,
    sustained,
    arrival,
    rpc: rpcLatency.summary(),
    cpu,
    postgresPerDelivery,
    jobsPerDelivery,
    undrained,
  };
}
