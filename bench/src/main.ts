// `npm run bench`: raw ceilings of PipeRelay's components, then PipeRelay
// itself (ingest, end to end, latency, CPU and memory, scale behaviour), one
// table on stdout and everything in bench/results/latest.json (see docs/performance.md).
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { measureHttp } from "./ceilings/http.js";
import { measureJetStream } from "./ceilings/jetstream.js";
import { measurePostgres } from "./ceilings/postgres.js";
import { measureRpc } from "./ceilings/rpc.js";
import { connectNats, createNamespace, postgresConnections, removeLeftovers, serverUrls } from "./infra.js";
import { machineInfo } from "./machine.js";
import { parseOptions } from "./options.js";
import { CpuTracker, listenerOf, postgresAuxiliaries, postgresBackends } from "./proc.js";
import { formatProfile, summarizeProfile } from "./profile-summary.js";
import { startReceiver } from "./receiver/receiver.js";
import { buildRows, type Ceilings, type Sections, slowestCeiling } from "./report.js";
import { rerenderResults, writeResults } from "./results-file.js";
import { measureBacklog } from "./scenarios/backlog.js";
import { type BenchContext, distDir } from "./scenarios/context.js";
import { type E2eResult, measureEndToEnd } from "./scenarios/e2e.js";
import { measureManyEndpoints } from "./scenarios/endpoints.js";
import { measureIngest } from "./scenarios/ingest.js";
import { type ProfileResult, profileServices } from "./scenarios/profile.js";
import { liveStacks, setIngestNodeFlags, setRunEnv } from "./stack.js";
import { round } from "./stats.js";

const argv = process.argv.slice(2);
if (argv[0] === "summarize") {
  // `npm run bench -- summarize <file.cpuprofile>… [--skip=<seconds>]`: the profile summary on its own.
  const skip = Number(argv.find((a) => a.startsWith("--skip="))?.slice(7) ?? 0);
  for (const file of argv.slice(1).filter((a) => !a.startsWith("--"))) {
    console.log(formatProfile(summarizeProfile(resolve(file), skip)));
  }
  process.exit(0);
}
if (argv[0] === "report") {
  // `npm run bench -- report [--out=PATH]`: the table of an earlier run, rendered again.
  const out = argv.find((a) => a.startsWith("--out="))?.slice(6) ?? "bench/results/latest.json";
  console.log(rerenderResults(out));
  process.exit(0);
}
const options = parseOptions(argv);
if (options.workers !== undefined) setRunEnv({ PIPERELAY_WORKERS: String(options.workers) });
setIngestNodeFlags(options.ingestNodeFlags);
const nats = await connectNats("piperelay-bench");
if (options.cleanupOnly) {
  console.log(`removed: ${(await removeLeftovers(nats)).join(", ") || "nothing"}`);
  await nats.close();
  process.exit(0);
}

/**
 * Runs a ceiling measurement and adds `othersPercent`: the share of the
 * machine's CPU that processes other than the benchmark's own (this process,
 * the receiver, NATS, PostgreSQL's shared processes and the given databases'
 * backends) used meanwhile.
 */
async function withNoise<T extends object>(
  context: BenchContext,
  databases: string[],
  measure: () => Promise<T>,
): Promise<T & { othersPercent: number }> {
  const tracker = new CpuTracker({
    loadGenerator: () => [process.pid],
    receiver: () => [context.receiver.pid],
    nats: () => (context.natsPid ? [context.natsPid] : []),
    postgresShared: postgresAuxiliaries,
    postgresBackends: () => databases.flatMap((d) => postgresBackends(d)),
  }).start();
  const result = await measure();
  const tracked = tracker.stop();
  return { ...result, othersPercent: round((tracked.others / (tracked.wallSeconds * tracked.cores)) * 100) };
}

const began = Date.now();
const log = (message: string) =>
  console.error(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const receiver = await startReceiver();
const natsPort = Number(new URL(serverUrls().nats).port || 4222);
const ctx: BenchContext = {
  options,
  nats,
  receiver,
  natsPid: listenerOf(natsPort),
  logDir: resolve(distDir, "logs"),
  profileDir: resolve(distDir, "profiles"),
  log,
};

process.once("SIGINT", () => {
  log("interrupted: stopping services and dropping the benchmark's databases and streams");
  Promise.all([...liveStacks].map((s) => s.stop().catch(() => {}))).finally(() => process.exit(130));
});

const machine = await machineInfo(nats);
const connectionsAtStart = await postgresConnections();
log(
  `${machine.cpuModel}, ${machine.nproc} cores, load average ${machine.loadAverageAtStart.join(" ")}; ` +
    `PostgreSQL connections in use ${connectionsAtStart.open}/${connectionsAtStart.max}`,
);
const sections: Sections = {};
let profiles: ProfileResult[] | undefined;
const phaseSeconds: Record<string, number> = {};
const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    phaseSeconds[name] = Math.round((Date.now() - t0) / 100) / 10;
  }
};

try {
  if (options.only.has("ceilings")) {
    sections.ceilings = await timed("ceilings", async () => {
      const window = { warmupMs: options.warmupMs / 2, measureMs: options.measureMs };
      log("ceilings: JetStream");
      const jetstream = await withNoise(ctx, [], () =>
        measureJetStream(nats, {
          seconds: options.measureMs / 1000,
          publishInFlight: 256,
          consumerBatch: 50,
        }),
      );
      log("ceilings: PostgreSQL");
      const namespace = await createNamespace(nats);
      let postgres: Ceilings["postgres"];
      try {
        postgres = await withNoise(ctx, [namespace.database], () =>
          measurePostgres(namespace.databaseUrl, { concurrency: options.clients, ...window }),
        );
      } finally {
        await namespace.drop();
      }
      log("ceilings: undici");
      const http = await withNoise(ctx, [], () =>
        measureHttp(receiver.baseUrl, { concurrency: 50, ...window }),
      );
      log("ceilings: the RPC stack");
      // Its server is a process of its own, so each run measures the noise around it itself.
      const rpc = {
        runs: await measureRpc({
          concurrency: options.clients,
          nodeFlags: options.ingestNodeFlags,
          ...window,
        }),
      };
      const ceilings = { jetstream, postgres, http, rpc };
      log(`ceilings: slowest is ${JSON.stringify(slowestCeiling(ceilings))}`);
      return ceilings;
    });
  }
  if (options.only.has("ingest")) sections.ingest = await timed("ingest", () => measureIngest(ctx));
  if (options.only.has("e2e") || options.only.has("latency")) {
    const fanouts = options.only.has("e2e") ? options.fanouts : [1];
    const e2e: E2eResult[] = [];
    for (const fanout of fanouts) {
      e2e.push(
        await timed(`e2e-fanout${fanout}`, () =>
          measureEndToEnd(ctx, fanout, fanout === 1 && options.only.has("latency")),
        ),
      );
    }
    sections.e2e = e2e;
  }
  if (options.only.has("e2e-batch")) {
    // Fan-out 1 again with messages sent in SendMessages batches: what the delivery side
    // sustains when single-message RPCs do not take half the machine.
    const batched = await timed("e2e-fanout1-batched", () =>
      measureEndToEnd(ctx, 1, false, "connect-binary-batch"),
    );
    sections.e2e = [...(sections.e2e ?? []), batched];
  }
  if (options.only.has("endpoints"))
    sections.endpoints = await timed("endpoints", () => measureManyEndpoints(ctx));
  if (options.only.has("backlog")) sections.backlog = await timed("backlog", () => measureBacklog(ctx));
  if (options.only.has("profile")) profiles = await timed("profile", () => profileServices(ctx));
} finally {
  await Promise.all([...liveStacks].map((s) => s.stop().catch(() => {})));
  await receiver.close();
  await nats.close();
}

const rows = buildRows(sections);
const results = {
  meta: {
    startedAt: new Date(began).toISOString(),
    durationSeconds: Math.round((Date.now() - began) / 1000),
    phaseSeconds,
    mode: options.quick ? "quick" : "full",
    options: {
      clients: options.clients,
      fanouts: options.fanouts,
      warmupMs: options.warmupMs,
      measureMs: options.measureMs,
      trials: options.trials,
      moderateRate: options.moderateRate,
      backlog: options.backlog,
      dead: options.dead,
      endpoints: options.endpoints,
      workers: options.workers ?? "service default",
      ingestNodeFlags: options.ingestNodeFlags,
      phases: [...options.only],
    },
    machine,
    loadAverageAtEnd: loadavg().map((v) => round(v)),
    postgresConnectionsAtStart: connectionsAtStart,
    note:
      "Shared machine: other engineers' tests ran at the same time. Each window records " +
      "cpu.othersPercent, the machine's busy CPU no tracked process explains.",
  },
  table: rows,
  ...sections,
  profiles,
};
console.log(writeResults(options.out, results));
log(`results written to ${options.out} (${results.meta.durationSeconds} s)`);
