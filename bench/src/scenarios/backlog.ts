// A dead endpoint with a large backlog next to a healthy one: does memory stay
// flat, and does the healthy endpoint keep its latency? Then the dead endpoint
// comes back: how soon, and how fast, does its backlog return, and what does
// that do to the healthy endpoint?
import { createServer, type Socket } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { queueNames } from "@piperelay/queue";
import pg from "pg";
import { freePort } from "../infra.js";
import { createSender, openLoopMaxInFlight, startLoad } from "../load.js";
import type { PhaseStats } from "../receiver/protocol.js";
import { createApplication, createEndpoints } from "../setup.js";
import { type ServiceName, startStack } from "../stack.js";
import { round, sleep } from "../stats.js";
import type { BenchContext } from "./context.js";
import { type RevivedEndpoint, reviveEndpoint } from "./revive-endpoint.js";
import { seedBacklog } from "./seed-backlog.js";

export interface RssSeries {
  /** [seconds since the scenario started, MiB] every second. */
  samples: [number, number][];
  beforeBacklog: number;
  /** When the last backlog message was accepted. */
  atBacklogQueued: number;
  maxWhileOutstanding: number;
  atEnd: number;
  /** (max while outstanding − RSS when queued) / RSS when queued, %. */
  changePercent: number;
  flat: boolean;
}

export interface HealthyWindow {
  sent: number;
  arrived: number;
  arrival: PhaseStats;
}

export interface BacklogResult {
  dead: "refuse" | "blackhole";
  /** How the backlog was queued (see --backlog-via). */
  queuedVia: "seed" | "ingest";
  deadUrl: string;
  backlogMessages: number;
  queueSeconds: number;
  queuePerSecond: number;
  healthyRate: number;
  healthy: { baseline: HealthyWindow; whileQueueing: HealthyWindow; withBacklog: HealthyWindow };
  /** Deliveries to the dead endpoint by status, and attempts made, at the end. */
  deadDeliveries: Record<string, number>;
  attempts: number;
  consumer: { pending: number; ackPending: number; redelivered: number; waiting: number } | undefined;
  rss: Partial<Record<ServiceName, RssSeries>>;
  observeSeconds: number;
  /** After the observed window the dead endpoint comes back (answers 200): how its backlog returns. */
  recovery: RecoveryResult;
}

export interface RecoveryResult {
  /**
   * Seconds from the endpoint answering again to the first of its backlog
   * arriving: the next probe of the open circuit. Undefined when none came
   * within `waitedSeconds`.
   */
  firstArrivalSeconds: number | undefined;
  waitedSeconds: number;
  /** Backlog deliveries per second over `windowSeconds` from the first arrival. */
  drainPerSecond: number;
  windowSeconds: number;
  /** The most backlog deliveries in one second from the first arrival to the window's end (not in results before the tenth session). */
  busiestSecond?: number;
  /** The healthy endpoint over the same window. */
  healthy: HealthyWindow;
}

/** A TCP server that accepts connections and never answers; `close` drops them all. */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      if (!server.listening) return;
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

export async function measureBacklog(ctx: BenchContext): Promise<BacklogResult> {
  const { options } = ctx;
  const hole = options.dead === "blackhole" ? await blackhole() : undefined;
  const deadPort = hole ? hole.port : await freePort();
  const deadUrl = `http://127.0.0.1:${deadPort}/dead`;
  ctx.log(`backlog: ${options.backlog} messages for a dead endpoint (${options.dead}: ${deadUrl})`);
  const stack = await startStack({
    nats: ctx.nats,
    services: ["admin", "ingest", "dispatcher"],
    logDir: ctx.logDir,
    scenario: "backlog",
  });
  const began = performance.now();
  const rssSamples: Record<string, [number, number][]> = { ingest: [], dispatcher: [], admin: [] };
  const sampler = setInterval(() => {
    const t = round((performance.now() - began) / 1000);
    for (const name of ["ingest", "dispatcher", "admin"] as const) {
      const rss = stack.services[name]?.rssMiB();
      if (rss !== undefined) rssSamples[name]?.push([t, round(rss)]);
    }
  }, 1000);
  let revived: RevivedEndpoint | undefined;
  try {
    const app = await createApplication(stack.adminUrl);
    const [, deadEndpointId] = await createEndpoints(stack.adminUrl, app, [
      { url: `${ctx.receiver.baseUrl}/hook/healthy`, eventTypes: ["live.tick"] },
      { url: deadUrl, eventTypes: ["bulk.event"] },
    ]);
    const healthySender = createSender("connect-binary", stack.ingestUrl, app.apiKey, 2);
    const healthyRate = 20;
    const healthy = startLoad(
      healthySender.send,
      "live.tick",
      { kind: "open", rate: healthyRate, maxInFlight: openLoopMaxInFlight },
      "backlog/warm-up",
    );
    const phases = [
      "backlog/warm-up",
      "backlog/baseline",
      "backlog/queueing",
      "backlog/outstanding",
      "backlog/reviving",
      "backlog/draining",
    ];
    const mark = (phase: string) => healthy.setPhase(phase);

    await sleep(options.warmupMs);
    mark("backlog/baseline");
    await sleep(options.measureMs);
    const rssBefore = Object.fromEntries(
      (["ingest", "dispatcher", "admin"] as const).map((n) => [n, stack.services[n]?.rssMiB() ?? 0]),
    );

    // Queue the backlog, healthy traffic continuing alongside.
    mark("backlog/queueing");
    const queueStart = performance.now();
    const queued =
      options.backlogVia === "seed"
        ? await seedBacklog(
            ctx.nats,
            {
              databaseUrl: stack.namespace.databaseUrl,
              prefix: stack.namespace.prefix,
              applicationId: app.id,
              endpointId: deadEndpointId as string,
              eventType: "bulk.event",
            },
            options.backlog,
          )
        : await queueThroughIngest(ctx, stack.ingestUrl, app.apiKey);
    const queueSeconds = (performance.now() - queueStart) / 1000;
    const queuedAt = round((performance.now() - began) / 1000);
    ctx.log(`backlog: ${queued} queued (${options.backlogVia}) in ${round(queueSeconds)} s; observing`);

    mark("backlog/outstanding");
    await sleep(options.observeMs);
    // The state behind the dead endpoint as it was while it was down.
    const deadAtEnd = await deadState(stack.namespace.databaseUrl);
    const consumerAtEnd = await consumerState(ctx, stack.namespace.prefix);
    const revivedAt = round((performance.now() - began) / 1000);

    mark("backlog/reviving");
    await hole?.close();
    revived = await reviveEndpoint(deadPort);
    const upAt = performance.now();
    // The next probe comes when the current park ends: parks double while the endpoint keeps
    // failing, from the circuit's 30 s cooldown.
    const maxWaitMs = 2 * options.observeMs + 30_000;
    while (revived.arrivals() === 0 && performance.now() - upAt < maxWaitMs) await sleep(50);
    const firstAt = revived.firstArrivalAt();
    mark("backlog/draining");
    const drainWindowMs = 2 * options.measureMs;
    const drainedBefore = revived.arrivals();
    if (firstAt !== undefined) await sleep(drainWindowMs);
    const drained = revived.arrivals() - drainedBefore;
    const busiestSecond = revived.busiestSecond();
    ctx.log(
      firstAt === undefined
        ? `backlog: nothing arrived at the revived endpoint within ${maxWaitMs / 1000} s`
        : `backlog: endpoint back; first backlog delivery after ${round((firstAt - upAt) / 1000)} s, ` +
            `then ${round(drained / (drainWindowMs / 1000))}/s, at most ${busiestSecond} in a second`,
    );
    await healthy.stop();
    await healthySender.close();
    // Whatever arrives in the next few seconds still counts as arrived (late).
    await sleep(2000);
    clearInterval(sampler);

    const healthyWindow = async (phase: string): Promise<HealthyWindow> => {
      const arrival = await ctx.receiver.stats(phase);
      return { sent: healthy.acceptedIn(phase), arrived: arrival.arrivals, arrival };
    };
    const result: BacklogResult = {
      dead: options.dead,
      queuedVia: options.backlogVia,
      deadUrl,
      backlogMessages: queued,
      queueSeconds: round(queueSeconds),
      queuePerSecond: round(queued / queueSeconds),
      healthyRate,
      healthy: {
        baseline: await healthyWindow("backlog/baseline"),
        whileQueueing: await healthyWindow("backlog/queueing"),
        withBacklog: await healthyWindow("backlog/outstanding"),
      },
      ...deadAtEnd,
      consumer: consumerAtEnd,
      rss: {},
      observeSeconds: options.observeMs / 1000,
      recovery: {
        firstArrivalSeconds: firstAt === undefined ? undefined : round((firstAt - upAt) / 1000),
        waitedSeconds: maxWaitMs / 1000,
        drainPerSecond: firstAt === undefined ? 0 : round(drained / (drainWindowMs / 1000)),
        windowSeconds: drainWindowMs / 1000,
        busiestSecond,
        healthy: await healthyWindow("backlog/draining"),
      },
    };
    for (const name of ["ingest", "dispatcher", "admin"] as const) {
      // Memory while the endpoint was down; its recovery is reported on its own.
      const samples = (rssSamples[name] ?? []).filter(([t]) => t <= revivedAt);
      const atQueued = samples.find(([t]) => t >= queuedAt)?.[1] ?? 0;
      const outstanding = samples.filter(([t]) => t >= queuedAt).map(([, v]) => v);
      const max = Math.max(...outstanding);
      result.rss[name] = {
        samples,
        beforeBacklog: round(rssBefore[name] ?? 0),
        atBacklogQueued: atQueued,
        maxWhileOutstanding: max,
        atEnd: samples.at(-1)?.[1] ?? 0,
        changePercent: round(((max - atQueued) / atQueued) * 100),
        flat: max <= atQueued * 1.2,
      };
    }
    await ctx.receiver.forget([...phases, "bulk"]);
    return result;
  } finally {
    clearInterval(sampler);
    await stack.stop();
    await revived?.close();
    await hole?.close();
  }
}

/** Sends the backlog through SendMessage as fast as ingest takes it. */
async function queueThroughIngest(ctx: BenchContext, ingestUrl: string, apiKey: string): Promise<number> {
  const { options } = ctx;
  const sender = createSender("connect-binary", ingestUrl, apiKey, options.clients);
  const bulk = startLoad(sender.send, "bulk.event", { kind: "closed", concurrency: options.clients }, "bulk");
  let lastLog = performance.now();
  while (bulk.snapshot().accepted < options.backlog) {
    await sleep(100);
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      ctx.log(`backlog: ${bulk.snapshot().accepted} of ${options.backlog} queued`);
    }
  }
  const { final } = await bulk.stop();
  await sender.close();
  return final.accepted;
}

async function deadState(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; n: number }>(
      `SELECT d.status, count(*)::int AS n FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
       WHERE e.url LIKE '%/dead' GROUP BY d.status`,
    );
    const attempts = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM attempts")).rows[0]
      ?.n;
    return { deadDeliveries: Object.fromEntries(rows.map((r) => [r.status, r.n])), attempts: attempts ?? 0 };
  } finally {
    await client.end();
  }
}

async function consumerState(ctx: BenchContext, prefix: string): Promise<BacklogResult["consumer"]> {
  const jsm = await jetstreamManager(ctx.nats);
  const { stream, consumer } = queueNames(prefix);
  const info = await jsm.consumers.info(stream, consumer).catch(() => undefined);
  if (!info) return undefined;
  return {
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    waiting: info.num_waiting,
  };
}
