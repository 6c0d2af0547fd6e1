// The ceiling of single-message ingest's RPC stack: SendMessage over Connect
// (binary, HTTP/2) and REST from the load generator the ingest phase uses, to
// ingest's API server answering without storing or publishing anything
// (rpc-server.ts). What ingest can reach over one RPC a message on this machine.
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { benchPayload, createSender, type Protocol } from "../load.js";
import { CpuTracker } from "../proc.js";
import { round } from "../stats.js";
import { runWorkers, type WorkerRun } from "./run-workers.js";

export interface RpcCeiling extends WorkerRun {
  protocol: Protocol;
  concurrency: number;
  /** CPU ms per call of the server and of the load generator. */
  cpuMsPerCall: { server: number; loadGenerator: number };
  /** The machine's busy CPU that neither explains (other users), as % of all cores. */
  othersPercent: number;
}

export async function measureRpc(options: {
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Ingest's Node.js flags, so that its API server runs here as in ingest. */
  nodeFlags: string[];
}): Promise<RpcCeiling[]> {
  const child = fork(resolve(import.meta.dirname, "rpc-server.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: options.nodeFlags,
  });
  try {
    const port = await new Promise<number>((done, fail) => {
      child.once("error", fail);
      child.once("exit", (code) => fail(new Error(`the RPC ceiling's server exited with ${code}`)));
      child.on("message", (m: { type: string; port: number }) => {
        if (m.type === "listening") done(m.port);
      });
    });
    const runs: RpcCeiling[] = [];
    for (const protocol of ["connect-binary", "rest"] as const) {
      const sender = createSender(protocol, `http://127.0.0.1:${port}`, "pr_ceiling", options.concurrency);
      const tracker = new CpuTracker({
        server: () => (child.pid ? [child.pid] : []),
        loadGenerator: () => [process.pid],
      });
      // The tracker starts with the measured window, after the warm-up.
      const timer = setTimeout(() => tracker.start(), options.warmupMs);
      const run = await runWorkers(options.concurrency, options.warmupMs, options.measureMs, async () => {
        await sender.send("session.completed", () => benchPayload("rpc-ceiling"));
      });
      clearTimeout(timer);
      const { byGroup, others, wallSeconds, cores } = tracker.stop();
      await sender.close();
      const perCall = (seconds = 0) => round((seconds * 1000) / Math.max(run.operations, 1));
      runs.push({
        ...run,
        protocol,
        concurrency: options.concurrency,
        cpuMsPerCall: { server: perCall(byGroup.server), loadGenerator: perCall(byGroup.loadGenerator) },
        othersPercent: round((others / (wallSeconds * cores)) * 100),
      });
    }
    return runs;
  } finally {
    child.disconnect();
    await new Promise((done) => (child.exitCode === null ? child.once("exit", done) : done(undefined)));
  }
}
