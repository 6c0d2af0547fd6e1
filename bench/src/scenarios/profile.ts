// CPU profiles of the services under load (`node --cpu-prof`), in runs of
// their own: profiling slows the code, so these runs' rates are not reported.
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { formatProfile, type ProfileSummary, summarizeProfile } from "../profile-summary.js";
import { createApplication, createEndpoints, insertEndpoints } from "../setup.js";
import { type Stack, startStack } from "../stack.js";
import type { BenchContext } from "./context.js";
import { startDeliveryStack } from "./e2e.js";
import { measureIngestRun } from "./ingest.js";
import { runTrial } from "./trial.js";

export interface ProfileResult {
  /** What ran while the profiles were taken. */
  scenario: string;
  profiles: ProfileSummary[];
}

/** Summarizes the profiles in `dir`, leaving out each process's life before `from` (Date.now()). */
function summarizeDir(ctx: BenchContext, dir: string, spawnedAt: Record<string, number>, from: number) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile") && !f.startsWith("admin"))
    .map((f) => {
      const started = spawnedAt[f.replace(".cpuprofile", "")] ?? from;
      return summarizeProfile(resolve(dir, f), Math.max(0, (from - started) / 1000));
    })
    .map((summary) => {
      ctx.log(formatProfile(summary));
      return summary;
    });
}

function spawnTimes(stack: Stack): Record<string, number> {
  return Object.fromEntries(Object.values(stack.services).map((s) => [s.name, s.spawnedAt]));
}

export async function profileServices(ctx: BenchContext): Promise<ProfileResult[]> {
  const { options } = ctx;
  const results: ProfileResult[] = [];

  for (const protocol of ["connect-binary", "connect-binary-batch"] as const) {
    const batched = protocol === "connect-binary-batch";
    const name = `e2e-fanout1${batched ? "-batched" : ""}`;
    const dir = resolve(ctx.profileDir, name);
    ctx.log(`profile: fan-out 1 end to end over ${protocol}, saturated, under --cpu-prof`);
    const { stack, app } = await startDeliveryStack(ctx, `profile-${name}`, 1, dir);
    const spawned = spawnTimes(stack);
    const from = Date.now() + options.warmupMs;
    try {
      await runTrial(ctx, {
        stack,
        app,
        fanout: 1,
        protocol,
        phase: `profile/${name}`,
        mode: { kind: "closed", concurrency: options.clients },
        maxBacklog: 1000,
        warmupMs: options.warmupMs,
        measureMs: options.measureMs * 2,
      });
    } finally {
      await stack.stop();
    }
    results.push({
      scenario: `fan-out 1, ${options.clients} ${protocol} clients (closed loop), dispatcher delivering`,
      profiles: summarizeDir(ctx, dir, spawned, from),
    });
  }

  for (const protocol of ["connect-binary", "connect-binary-batch"] as const) {
    const dir = resolve(ctx.profileDir, `ingest-${protocol}`);
    ctx.log(`profile: ingest alone, ${protocol}, under --cpu-prof`);
    const ingestStack = await startStack({
      nats: ctx.nats,
      services: ["admin", "ingest"],
      logDir: ctx.logDir,
      scenario: `profile-ingest-${protocol}`,
      profileDir: dir,
    });
    const ingestSpawned = spawnTimes(ingestStack);
    const from = Date.now() + options.warmupMs;
    try {
      const ingestApp = await createApplication(ingestStack.adminUrl);
      await createEndpoints(ingestStack.adminUrl, ingestApp, [
        { url: `${ctx.receiver.baseUrl}/hook/0`, eventTypes: ["session.completed"] },
      ]);
      await measureIngestRun(ctx, ingestStack, ingestApp.apiKey, protocol);
    } finally {
      await ingestStack.stop();
    }
    results.push({
      scenario: `ingest alone, one endpoint, ${protocol}, ${options.clients} clients`,
      profiles: summarizeDir(ctx, dir, ingestSpawned, from),
    });
  }

  const manyDir = resolve(ctx.profileDir, "endpoints");
  ctx.log(`profile: ingest with ${options.endpoints} endpoints under --cpu-prof`);
  const many = await startStack({
    nats: ctx.nats,
    services: ["admin", "ingest"],
    logDir: ctx.logDir,
    scenario: "profile-endpoints",
    profileDir: manyDir,
  });
  const manySpawned = spawnTimes(many);
  let manyFrom = Date.now();
  try {
    const manyApp = await createApplication(many.adminUrl);
    await insertEndpoints(many.namespace.databaseUrl, manyApp, options.endpoints, (i) => ({
      url: `${ctx.receiver.baseUrl}/hook/${i === 0 ? "0" : "unsubscribed"}`,
      eventTypes: [i === 0 ? "order.created" : `other.event${i % 500}`],
    }));
    manyFrom = Date.now() + options.warmupMs;
    await measureIngestRun(ctx, many, manyApp.apiKey, "connect-binary", "order.created");
  } finally {
    await many.stop();
  }
  results.push({
    scenario: `ingest alone, ${options.endpoints} endpoints (1 subscribed), ${options.clients} clients`,
    profiles: summarizeDir(ctx, manyDir, manySpawned, manyFrom),
  });
  return results;
}
