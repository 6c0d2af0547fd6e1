// Ingest's highest rates, with load generators written in C (native-load.ts) so that
// the load takes little of the two cores, first with one ingest process and then with
// one per core (`PIPERELAY_PROCESSES`): one process is one event loop, and with a cheap
// load generator single-message ingest is bound by that loop, not by the machine.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import pg from "pg";
import type { Protocol } from "../load.js";
import { missingNativeTools, nativeErrors, nativeToolFor, startNativeLoad } from "../native-load.js";
import { CpuTracker } from "../proc.js";
import type { Stack } from "../stack.js";
import { round, sleep } from "../stats.js";
import { type BenchContext, cpuCost, cpuGroups } from "./context.js";
import type { IngestRun } from "./ingest-run.js";

/** Ingest's processes in the second round: one per core. */
const ingestProcesses = availableParallelism();

// Requests in flight. At 32, each waits its turn for its group's commit and JetStream's
// acknowledgement, and one ingest process left a third of the machine idle (1.4 of 2 cores
// busy, measured with h2load); 128 keep it busy.
const connections = 128;

const protocols: Protocol[] = ["connect-binary", "connect-json", "rest", "connect-binary-batch"];

export async function measureNativeIngest(
  ctx: BenchContext,
  stack: Stack,
  apiKey: string,
): Promise<IngestRun[]> {
  const missing = missingNativeTools();
  if (missing.length > 0) {
    ctx.log(
      `ingest: ${missing.join(" and ")} not installed (Debian: apt-get install nghttp2-client wrk); ` +
        "skipping the runs with native load generators",
    );
    return [];
  }
  const db = new pg.Client({ connectionString: stack.namespace.databaseUrl });
  await db.connect();
  const messages = async () =>
    (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages")).rows[0]?.n ?? 0;
  const runs: IngestRun[] = [];
  try {
    for (const processes of [1, ingestProcesses]) {
      // The one process the Node.js clients' runs warmed serves the first round.
      if (processes > 1) {
        await stack.stopService("ingest");
        await stack.start("ingest", { PIPERELAY_PROCESSES: String(processes) });
        // Unrecorded, so that every new process's JIT is warm before the first measurement.
        await measure("connect-binary", processes);
      }
      for (const protocol of protocols) {
        const run = await measure(protocol, processes);
        ctx.log(
          `ingest: ${protocol}, ${processes} process(es), ${run.loadGenerator}: ${run.acceptedPerSecond} msg/s ` +
            `(errors ${run.errors}; CPU s per 1,000 messages: ingest ${run.cpu.byGroup.ingest}, ` +
            `load generator ${run.cpu.byGroup.loadGenerator})`,
        );
        runs.push(run);
      }
    }
  } finally {
    await db.end();
  }
  return runs;

  async function measure(protocol: Protocol, processes: number): Promise<IngestRun> {
    const { warmupMs, measureMs } = ctx.options;
    const seconds = Math.ceil((warmupMs + measureMs) / 1000) + 1;
    const workDir = resolve(ctx.logDir, "native-load");
    const load = startNativeLoad(protocol, stack.ingestUrl, apiKey, connections, seconds, workDir);
    try {
      await sleep(warmupMs);
      const before = await messages();
      const tracker = new CpuTracker({ ...cpuGroups(ctx, stack), loadGenerator: () => [load.pid] }).start();
      const startedAt = performance.now();
      await sleep(measureMs);
      const tracked = tracker.stop();
      const accepted = (await messages()) - before;
      const elapsed = (performance.now() - startedAt) / 1000;
      const output = await load.finished;
      return {
        protocol,
        processes,
        loadGenerator: nativeToolFor[protocol],
        clients: connections,
        acceptedPerSecond: round(accepted / elapsed),
        totalAccepted: accepted,
        errors: nativeErrors(output),
        firstError: undefined,
        cpu: cpuCost(tracked, accepted),
      };
    } finally {
      load.stop();
    }
  }
}
