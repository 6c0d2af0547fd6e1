// Ingest alone: SendMessage (and SendMessages, 100 messages a call) with one
// subscribed endpoint, no dispatcher (the jobs stay on the stream), N clients
// each waiting for its answer.
import { createSender, type Protocol, startLoad } from "../load.js";
import { createApplication, createEndpoints } from "../setup.js";
import { type Stack, startStack } from "../stack.js";
import { round, sleep } from "../stats.js";
import { type BenchContext, cpuCost, trackCpu } from "./context.js";
import { measureNativeIngest } from "./ingest-native.js";
import type { IngestRun } from "./ingest-run.js";

export type { IngestRun } from "./ingest-run.js";

export interface IngestResult {
  runs: IngestRun[];
  peakRssMiB: Stack["peakRss"];
}

export async function measureIngestRun(
  ctx: BenchContext,
  stack: Stack,
  apiKey: string,
  protocol: Protocol,
  eventType = "session.completed",
): Promise<IngestRun> {
  const { clients, warmupMs, measureMs } = ctx.options;
  const sender = createSender(protocol, stack.ingestUrl, apiKey, clients);
  const load = startLoad(
    sender.send,
    eventType,
    { kind: "closed", concurrency: clients },
    "ingest/warm-up",
    sender.messagesPerCall,
  );
  await sleep(warmupMs);
  load.setPhase("ingest");
  const tracker = trackCpu(ctx, stack);
  const s0 = load.snapshot();
  await sleep(measureMs);
  const s1 = load.snapshot();
  const tracked = tracker.stop();
  const { final, rpcLatency, firstError } = await load.stop();
  await sender.close();
  const accepted = s1.accepted - s0.accepted;
  return {
    protocol,
    clients,
    acceptedPerSecond: round(accepted / ((s1.at - s0.at) / 1000)),
    totalAccepted: final.accepted,
    errors: s1.errors - s0.errors,
    firstError,
    rpc: rpcLatency.summary(),
    cpu: cpuCost(tracked, accepted),
  };
}

export async function measureIngest(ctx: BenchContext): Promise<IngestResult> {
  ctx.log("ingest: starting ingest and admin (no dispatcher)");
  const stack = await startStack({
    nats: ctx.nats,
    services: ["admin", "ingest"],
    logDir: ctx.logDir,
    scenario: "ingest",
  });
  try {
    const app = await createApplication(stack.adminUrl);
    await createEndpoints(stack.adminUrl, app, [
      { url: `${ctx.receiver.baseUrl}/hook/0`, eventTypes: ["session.completed"] },
    ]);
    // An unrecorded run first, so the first protocol measured does not pay for the JIT warming up.
    await measureIngestRun(ctx, stack, app.apiKey, "connect-binary");
    const runs: IngestRun[] = [];
    for (const protocol of ["connect-binary", "connect-json", "rest", "connect-binary-batch"] as const) {
      const run = await measureIngestRun(ctx, stack, app.apiKey, protocol);
      ctx.log(
        `ingest: ${protocol} ${run.acceptedPerSecond} msg/s (p99 ${run.rpc?.p99} ms, errors ${run.errors}; ` +
          `CPU s per 1,000 messages: ingest ${run.cpu.byGroup.ingest}, load generator ${run.cpu.byGroup.loadGenerator})`,
      );
      runs.push(run);
    }
    runs.push(...(await measureNativeIngest(ctx, stack, app.apiKey)));
    await stack.stop();
    return { runs, peakRssMiB: stack.peakRss };
  } finally {
    await stack.stop();
  }
}
