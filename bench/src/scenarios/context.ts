import { resolve } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { repoRoot } from "../infra.js";
import type { BenchOptions } from "../options.js";
import { CpuTracker, type PidSource, postgresAuxiliaries, postgresBackends } from "../proc.js";
import type { Receiver } from "../receiver/receiver.js";
import type { Stack } from "../stack.js";
import { round, sleep } from "../stats.js";

/** What every scenario gets from the runner. */
export interface BenchContext {
  options: BenchOptions;
  nats: NatsConnection;
  receiver: Receiver;
  /** The nats-server process behind NATS_URL, when it runs on this machine. */
  natsPid: number | undefined;
  logDir: string;
  profileDir: string;
  log(message: string): void;
}

export const distDir = resolve(repoRoot, "bench/dist");

/** PipeRelay's processes, the scenario's PostgreSQL backends, PostgreSQL's shared processes, NATS, and the load. */
export function cpuGroups(ctx: BenchContext, stack: Stack): Record<string, PidSource> {
  const service = (name: "ingest" | "dispatcher" | "admin") => () => {
    const s = stack.services[name];
    return s ? s.pids() : [];
  };
  return {
    ingest: service("ingest"),
    dispatcher: service("dispatcher"),
    admin: service("admin"),
    postgresBackends: () => postgresBackends(stack.namespace.database),
    postgresShared: postgresAuxiliaries,
    nats: () => (ctx.natsPid ? [ctx.natsPid] : []),
    receiver: () => [ctx.receiver.pid],
    loadGenerator: () => [process.pid],
  };
}

/** The groups whose CPU counts as PipeRelay's cost of a delivery. */
export const systemGroups = ["ingest", "dispatcher", "admin", "postgresBackends", "postgresShared", "nats"];

export interface CpuCost {
  /** CPU seconds per 1,000 deliveries, summed over {@link systemGroups}. */
  perThousand: number;
  /** The same per group (including receiver and load generator, which are not summed). */
  byGroup: Record<string, number>;
  /** Write system calls per delivery, by group: sends on sockets, a cost that batching removes. */
  writesPerDelivery: Record<string, number>;
  /** Busy CPU of the machine that none of the tracked processes explains (other users), as % of all cores. */
  othersPercent: number;
  deliveries: number;
  seconds: number;
}

export function cpuCost(tracked: ReturnType<CpuTracker["stop"]>, deliveries: number): CpuCost {
  const per = (seconds: number) => round((seconds / Math.max(deliveries, 1)) * 1000);
  const total = systemGroups.reduce((sum, g) => sum + (tracked.byGroup[g] ?? 0), 0);
  return {
    perThousand: per(total),
    byGroup: Object.fromEntries(Object.entries(tracked.byGroup).map(([g, s]) => [g, per(s)])),
    writesPerDelivery: Object.fromEntries(
      Object.entries(tracked.writesByGroup).map(([g, w]) => [g, round(w / Math.max(deliveries, 1))]),
    ),
    othersPercent: round((tracked.others / (tracked.wallSeconds * tracked.cores)) * 100),
    deliveries,
    seconds: round(tracked.wallSeconds),
  };
}

export function trackCpu(ctx: BenchContext, stack: Stack): CpuTracker {
  return new CpuTracker(cpuGroups(ctx, stack)).start();
}

/**
 * Waits until the receiver has seen `expected` arrivals over `phases` (a
 * previous window's backlog delivered), or `timeoutMs` passed. Returns what is left.
 */
export async function drain(
  ctx: BenchContext,
  phases: string[],
  expected: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { counts } = await ctx.receiver.count(phases);
    const arrived = Object.values(counts).reduce((a, b) => a + b, 0);
    if (arrived >= expected || Date.now() > deadline) return Math.max(0, expected - arrived);
    await sleep(200);
  }
}
