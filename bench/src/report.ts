// The one table `npm run bench` prints (and stores in latest.json): every
// figure with the raw ceiling it is compared with and the targets.
import type { JetStreamCeiling } from "./ceilings/jetstream.js";
import type { PostgresCeilings } from "./ceilings/postgres.js";
import type { RpcCeiling } from "./ceilings/rpc.js";
import type { WorkerRun } from "./ceilings/run-workers.js";
import { batchSize } from "./load.js";
import type { BacklogResult } from "./scenarios/backlog.js";
import { type E2eResult, overloadFactor } from "./scenarios/e2e.js";
import type { EndpointsResult } from "./scenarios/endpoints.js";
import type { IngestResult, IngestRun } from "./scenarios/ingest.js";
import { type LatencySummary, round } from "./stats.js";

/** `othersPercent`: CPU that other users of the machine took during the measurement, % of all cores. */
type Noisy<T> = T & { othersPercent: number };

export interface Ceilings {
  jetstream: Noisy<JetStreamCeiling>;
  postgres: Noisy<PostgresCeilings>;
  http: Noisy<WorkerRun & { concurrency: number }>;
  /** Absent from runs before it was measured. */
  rpc?: { runs: RpcCeiling[] };
}

export interface Row {
  figure: string;
  value: string;
  /** The ceiling it is compared with, and the ratio. */
  versus: string;
  target: string;
  /** "pass", "MISS", or "" when there is no target. */
  verdict: "" | "pass" | "MISS";
}

export interface Sections {
  ceilings?: Ceilings;
  ingest?: IngestResult;
  e2e?: E2eResult[];
  backlog?: BacklogResult;
  endpoints?: EndpointsResult;
}

const n = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");
const pct = (a: number, b: number | undefined) => (b ? `${round((a / b) * 100, 2)}%` : "");
const lat = (l: LatencySummary) =>
  l.count === 0 ? "nothing arrived" : `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} ms`;
const verdict = (ok: boolean): Row["verdict"] => (ok ? "pass" : "MISS");

/** The slowest ceiling a fan-out-1 delivery passes through (the list of ceilings). */
export function slowestCeiling(c: Ceilings): { name: string; perSecond: number } {
  const candidates = [
    { name: "JetStream publish→consume→ack", perSecond: c.jetstream.pipelinePerSecond },
    { name: "PostgreSQL ingest tx via pg", perSecond: c.postgres.ingestPg.perSecond },
    { name: "PostgreSQL ingest tx via Prisma", perSecond: c.postgres.ingestPrisma.perSecond },
    { name: "undici signed POST", perSecond: c.http.perSecond },
  ];
  return candidates.sort((a, b) => a.perSecond - b.perSecond)[0] as { name: string; perSecond: number };
}

/** The best sustained trial; "≥" when every trial was sustained (the limit lies higher than tried). */
function trialValue(e: E2eResult): string {
  const t = e.peak;
  if (!t) return "none sustained";
  const bound = e.trials.every((trial) => trial.sustained) ? "≥ " : "";
  return `${bound}${n(t.deliveredPerSecond)}/s (offered ${n(t.offeredPerSecond)} msg/s)`;
}

export function buildRows(s: Sections): Row[] {
  const rows: Row[] = [];
  const add = (figure: string, value: string, versus = "", target = "", v: Row["verdict"] = "") =>
    rows.push({ figure, value, versus, target, verdict: v });
  const c = s.ceilings;
  const slowest = c ? slowestCeiling(c) : undefined;
  if (c) {
    const pg = c.postgres;
    const noise = (o: { othersPercent: number }) => `others on the machine: ${o.othersPercent}% CPU`;
    const js = c.jetstream;
    add(`JetStream publish, ${js.publishInFlight} in flight (msg/s)`, n(js.publishPerSecond), noise(js));
    add("JetStream consume + ack, stream full (msg/s)", n(js.consumeAckPerSecond), noise(js));
    add("JetStream publish→consume→ack, sustained (msg/s)", n(js.pipelinePerSecond), noise(js));
    add(`PG ingest tx + enqueue, pg, ${pg.concurrency} conns (msg/s)`, n(pg.ingestPg.perSecond), noise(pg));
    add(
      `PG ingest tx + enqueue, Prisma, ${pg.concurrency} conns (msg/s)`,
      n(pg.ingestPrisma.perSecond),
      noise(pg),
    );
    add("PG all SQL of one delivery, pg (deliveries/s)", n(pg.fullDeliveryPg.perSecond), noise(pg));
    add(`undici signed POST, ${c.http.concurrency} in flight (req/s)`, n(c.http.perSecond), noise(c.http));
    for (const run of c.rpc?.runs ?? []) {
      add(
        `RPC stack alone: SendMessage over ${run.protocol} answered without storing, ${run.concurrency} clients (msg/s)`,
        `${n(run.perSecond)} (CPU ms per call: server ${run.cpuMsPerCall.server}, load generator ${run.cpuMsPerCall.loadGenerator})`,
        noise(run),
      );
    }
  }
  const prisma = c?.postgres.ingestPrisma.perSecond;
  // Single messages against the RPC stack alone on the same protocol; batches against the Prisma tx.
  const ingestVersus = (protocol: string, perSecond: number) => {
    const rpc = c?.rpc?.runs.find((r) => r.protocol === protocol);
    if (rpc) return `${pct(perSecond, rpc.perSecond)} of the RPC stack alone`;
    return prisma ? `${pct(perSecond, prisma)} of Prisma tx` : "";
  };
  const runs = s.ingest?.runs ?? [];
  const sameLoad = (a: IngestRun, b: IngestRun) =>
    a.protocol === b.protocol && a.loadGenerator === b.loadGenerator;
  // Native load: one process against the Node.js clients' run, several against one process.
  const nativeVersus = (run: IngestRun) => {
    const processes = run.processes ?? 1;
    const base =
      processes > 1
        ? runs.find((r) => sameLoad(r, run) && (r.processes ?? 1) === 1)
        : runs.find((r) => r.protocol === run.protocol && r.loadGenerator === undefined);
    if (!base) return "";
    return `${pct(run.acceptedPerSecond, base.acceptedPerSecond)} of ${processes > 1 ? "one process" : "the Node.js clients' run"}`;
  };
  for (const run of runs) {
    const batch = run.protocol === "connect-binary-batch";
    const target = batch ? 20_000 : run.protocol.startsWith("connect") ? 5000 : undefined;
    const processes = (run.processes ?? 1) > 1 ? `, ${run.processes} processes` : "";
    const load = run.loadGenerator
      ? `${run.loadGenerator}, ${run.clients} connections`
      : `${run.clients} clients`;
    const cpu = `CPU ms per message: ingest ${run.cpu.byGroup.ingest}, load generator ${run.cpu.byGroup.loadGenerator}`;
    add(
      batch
        ? `Ingest connect-binary, batches of ${batchSize}${processes}, ${load} (msg/s)`
        : `Ingest ${run.protocol}${processes}, ${load} (msg/s)`,
      run.rpc ? `${n(run.acceptedPerSecond)} (rpc ${lat(run.rpc)})` : `${n(run.acceptedPerSecond)} (${cpu})`,
      run.loadGenerator ? nativeVersus(run) : ingestVersus(run.protocol, run.acceptedPerSecond),
      target ? `≥ ${n(target)}` : "",
      target ? verdict(run.acceptedPerSecond >= target) : "",
    );
  }
  for (const e of s.e2e ?? []) {
    const delivered = e.peak?.deliveredPerSecond ?? 0;
    const versus = slowest ? `${pct(delivered, slowest.perSecond)} of ${slowest.name}` : "";
    const batched = e.protocol === "connect-binary-batch";
    const name = batched ? `fan-out ${e.fanout}, ingest in batches of ${batchSize}` : `fan-out ${e.fanout}`;
    if (e.fanout === 1) {
      const half = slowest ? delivered >= 0.5 * slowest.perSecond : false;
      add(
        `E2E ${name}, sustained (deliveries/s)`,
        trialValue(e),
        versus,
        "≥ 3,000 and ≥ 50% of slowest",
        verdict(delivered >= 3000 && half),
      );
    } else {
      add(`E2E ${name}, sustained (deliveries/s)`, trialValue(e), versus);
    }
    add(
      `E2E ${name}, saturated probe (deliveries/s)`,
      `${n(e.probe.deliveredPerSecond)}/s (ingest ${n(e.probe.acceptedPerSecond)} msg/s)`,
    );
    const cost = e.peak ?? e.probe;
    add(
      `CPU s per 1,000 deliveries, ${name}`,
      `${cost.cpu.perThousand} (ingest ${cost.cpu.byGroup.ingest}, dispatcher ${cost.cpu.byGroup.dispatcher}, ` +
        `PG ${round((cost.cpu.byGroup.postgresBackends ?? 0) + (cost.cpu.byGroup.postgresShared ?? 0))}, ` +
        `NATS ${cost.cpu.byGroup.nats})`,
      `others on the machine: ${cost.cpu.othersPercent}% CPU`,
    );
    const writes = cost.cpu.writesPerDelivery;
    if (writes) {
      add(
        `Write system calls per delivery, ${name}`,
        `ingest ${writes.ingest}, dispatcher ${writes.dispatcher}, ` +
          `PG ${round((writes.postgresBackends ?? 0) + (writes.postgresShared ?? 0))}, NATS ${writes.nats}`,
      );
    }
    if (cost.jobsPerDelivery !== undefined) {
      add(
        `Jobs handed out per delivery, ${name}`,
        `${cost.jobsPerDelivery}`,
        "1 = no job went round JetStream twice",
      );
    }
    const pgWork = cost.postgresPerDelivery;
    if (pgWork && Object.keys(pgWork).length > 0) {
      add(
        `PostgreSQL work per delivery, ${name} (≈)`,
        `${pgWork.xact_commit} commits, rows: ${pgWork.tup_inserted} inserted, ` +
          `${pgWork.tup_updated} updated, ${pgWork.tup_fetched} fetched`,
      );
    }
    if (e.latency.moderate) {
      const m = e.latency.moderate;
      add(
        `Send→arrival at ${n(m.offeredPerSecond)} msg/s (fan-out 1)`,
        lat(m.arrival.latency),
        "",
        "p99 < 50 ms",
        verdict(m.arrival.latency.p99 < 50 && m.sustained),
      );
    }
    if (e.latency.at80) {
      const m = e.latency.at80;
      add(`Send→arrival at 80% of peak, ${n(m.offeredPerSecond)} msg/s`, lat(m.arrival.latency));
    }
    if (e.overload) {
      const o = e.overload;
      add(
        `E2E ${name}, offered ${round(overloadFactor * 100)}% of the sustained peak (deliveries/s)`,
        `${n(o.deliveredPerSecond)}/s (offered ${n(o.offeredPerSecond)} msg/s), ` +
          `${o.jobsPerDelivery ?? "n/a"} jobs handed out and ${o.cpu.perThousand} CPU-ms per delivery`,
        e.peak ? `${pct(o.deliveredPerSecond, e.peak.deliveredPerSecond)} of the sustained peak` : "",
      );
    }
    const rss = e.peakRssMiB;
    add(
      `Peak RSS, ${name} run (MiB)`,
      `ingest ${n(rss.ingest ?? 0)}, dispatcher ${n(rss.dispatcher ?? 0)}, admin ${n(rss.admin ?? 0)}`,
    );
  }
  const b = s.backlog;
  if (b) {
    for (const [name, series] of Object.entries(b.rss)) {
      add(
        `RSS ${name}, ${n(b.backlogMessages)} queued behind dead endpoint (MiB)`,
        `${series.beforeBacklog} before → ${series.atBacklogQueued} queued → max ${series.maxWhileOutstanding}`,
        `${series.changePercent}% while outstanding`,
        "±20%",
        verdict(series.flat),
      );
    }
    if (b.consumer) {
      add(
        "Dispatcher consumer at the end of the backlog run",
        `${n(b.consumer.ackPending)} ack pending, ${n(b.consumer.pending)} not yet delivered`,
        `${n(b.attempts)} attempts made; dead deliveries ${JSON.stringify(b.deadDeliveries)}`,
      );
    }
    const { baseline, withBacklog } = b.healthy;
    const arrivedShare = withBacklog.sent ? withBacklog.arrived / withBacklog.sent : 0;
    add(
      "Healthy endpoint send→arrival, before backlog",
      `${lat(baseline.arrival.latency)} (${baseline.arrived}/${baseline.sent})`,
    );
    add(
      "Healthy endpoint send→arrival, with backlog",
      `${lat(withBacklog.arrival.latency)} (${withBacklog.arrived}/${withBacklog.sent} arrived)`,
      "",
      "all arrive, p99 ≤ max(2× before, 50 ms)",
      verdict(
        arrivedShare >= 0.99 &&
          withBacklog.arrival.latency.p99 <= Math.max(2 * baseline.arrival.latency.p99, 50),
      ),
    );
    const r = b.recovery;
    if (r) {
      add(
        "Dead endpoint back: its backlog returning",
        r.firstArrivalSeconds === undefined
          ? `nothing arrived within ${n(r.waitedSeconds)} s`
          : `first after ${r.firstArrivalSeconds} s, then ${n(r.drainPerSecond)}/s over ${n(r.windowSeconds)} s` +
              (r.busiestSecond === undefined ? "" : `, at most ${n(r.busiestSecond)} in a second`),
        "the next probe of its open circuit, then a release of 200 deliveries a second",
      );
      add(
        "Healthy endpoint send→arrival, while the backlog returns",
        `${lat(r.healthy.arrival.latency)} (${r.healthy.arrived}/${r.healthy.sent} arrived)`,
      );
    }
  }
  const m = s.endpoints;
  if (m) {
    const base = s.ingest?.runs.find((r) => r.protocol === "connect-binary")?.acceptedPerSecond;
    add(
      `Ingest with ${n(m.endpoints)} endpoints, connect-binary (msg/s)`,
      m.ingest.rpc
        ? `${n(m.ingest.acceptedPerSecond)} (rpc ${lat(m.ingest.rpc)})`
        : n(m.ingest.acceptedPerSecond),
      base ? `${pct(m.ingest.acceptedPerSecond, base)} of 1-endpoint ingest` : "",
    );
    add(
      `Send→arrival with ${n(m.endpoints)} endpoints at ${n(m.latency.offeredPerSecond)} msg/s`,
      lat(m.latency.arrival.latency),
    );
  }
  return rows;
}

/** The rows as a fixed-width text table. */
export function formatTable(rows: Row[]): string {
  const head: Row = {
    figure: "figure",
    value: "measured",
    versus: "vs ceiling / notes",
    target: "target",
    verdict: "",
  };
  const all = [head, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const w = {
    figure: width("figure"),
    value: width("value"),
    versus: width("versus"),
    target: width("target"),
  };
  const line = (r: Row) =>
    `${r.figure.padEnd(w.figure)} | ${r.value.padEnd(w.value)} | ${r.versus.padEnd(w.versus)} | ${r.target.padEnd(w.target)} | ${r.verdict}`;
  const rule = "-".repeat(w.figure + w.value + w.versus + w.target + 16);
  return [line(head), rule, ...rows.map(line)].join("\n");
}

/** The same table in Markdown, for docs/performance.md. */
export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    "| figure | measured | vs ceiling / notes | target | |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) => `| ${esc(r.figure)} | ${esc(r.value)} | ${esc(r.versus)} | ${esc(r.target)} | ${r.verdict} |`,
    ),
  ].join("\n");
}
