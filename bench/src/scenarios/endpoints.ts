// Many endpoints, few subscribed: ingest reads every active endpoint of the
// application for each message, so its cost grows with the endpoint count.
import { openLoopMaxInFlight } from "../load.js";
import { createApplication, insertEndpoints } from "../setup.js";
import { type Stack, startStack } from "../stack.js";
import type { BenchContext } from "./context.js";
import { drain } from "./context.js";
import { type IngestRun, measureIngestRun } from "./ingest.js";
import { runTrial, type TrialResult } from "./trial.js";

export interface EndpointsResult {
  endpoints: number;
  subscribed: number;
  /** Ingest alone (no dispatcher), Connect binary, N clients. */
  ingest: IngestRun;
  /** Send → arrival with the dispatcher running, at a moderate rate ingest can take. */
  latency: TrialResult;
  peakRssMiB: Stack["peakRss"];
}

export async function measureManyEndpoints(ctx: BenchContext): Promise<EndpointsResult> {
  const { options } = ctx;
  ctx.log(`endpoints: ${options.endpoints} endpoints, one subscribed to the event type`);
  const stack = await startStack({
    nats: ctx.nats,
    services: ["admin", "ingest"],
    logDir: ctx.logDir,
    scenario: "endpoints",
  });
  try {
    const app = await createApplication(stack.adminUrl);
    await insertEndpoints(stack.namespace.databaseUrl, app, options.endpoints, (i) =>
      i === 0
        ? { url: `${ctx.receiver.baseUrl}/hook/0`, eventTypes: ["order.created"] }
        : { url: `${ctx.receiver.baseUrl}/hook/unsubscribed`, eventTypes: [`other.event${i % 500}`] },
    );
    const ingest = await measureIngestRun(ctx, stack, app.apiKey, "connect-binary", "order.created");
    ctx.log(`endpoints: ingest ${ingest.acceptedPerSecond} msg/s (p99 ${ingest.rpc?.p99} ms)`);

    await stack.start("dispatcher");
    await drain(ctx, ["ingest/warm-up", "ingest"], ingest.totalAccepted, 120_000);
    await ctx.receiver.forget(["ingest/warm-up", "ingest"]);
    const rate = Math.max(1, Math.min(options.moderateRate, 0.5 * ingest.acceptedPerSecond));
    const latency = await runTrial(ctx, {
      stack,
      app,
      phase: "endpoints/latency",
      fanout: 1,
      eventType: "order.created",
      mode: { kind: "open", rate, maxInFlight: openLoopMaxInFlight },
      warmupMs: options.warmupMs,
      measureMs: options.measureMs,
    });
    ctx.log(`endpoints: at ${rate} msg/s, send → arrival p99 ${latency.arrival.latency.p99} ms`);
    await stack.stop();
    return { endpoints: options.endpoints, subscribed: 1, ingest, latency, peakRssMiB: stack.peakRss };
  } finally {
    await stack.stop();
  }
}
