// PipeRelay as the benchmark runs it: each service a child process of its own
// (`node <bundle of services/<name>/src/main.ts>`), on a database and NATS prefix
// of the scenario's own.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { queueNames } from "@piperelay/queue";
import { type BenchNamespace, createNamespace, freePort, serverUrls } from "./infra.js";
import { totalMemoryMiB, withChildren } from "./proc.js";
import { sleep } from "./stats.js";

export type ServiceName = "ingest" | "dispatcher" | "admin";

export interface ServiceProcess {
  name: ServiceName;
  pid: number;
  /** `http://127.0.0.1:<port>` for ingest and admin; undefined for the dispatcher. */
  url: string | undefined;
  /** Date.now() when the process was spawned. */
  spawnedAt: number;
  /** Its process, and the workers that one forked when it runs as several (`PIPERELAY_PROCESSES`). */
  pids(): number[];
  /** Peak RSS (VmHWM) so far, MiB; summed over its processes (each one's own peak). */
  peakRssMiB(): number | undefined;
  /** RSS now, MiB, summed over its processes. */
  rssMiB(): number | undefined;
  stop(): Promise<void>;
}

export interface Stack {
  namespace: BenchNamespace;
  services: Partial<Record<ServiceName, ServiceProcess>>;
  ingestUrl: string;
  adminUrl: string;
  /** Peak RSS of every service, read just before it was stopped (MiB). */
  peakRss: Partial<Record<ServiceName, number>>;
  /** Starts a service; `env` adds to the stack's environment for this one. */
  start(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  stopService(name: ServiceName): Promise<void>;
  /** Stops every service, then drops the database and the stream. */
  stop(): Promise<void>;
}

export interface StackOptions {
  nats: NatsConnection;
  services: ServiceName[];
  /** Run the services under `node --cpu-prof`, writing `<dir>/<service>.cpuprofile` on exit. */
  profileDir?: string;
  /** Where each service's output goes (`<dir>/<scenario>-<service>.log`). */
  logDir: string;
  scenario: string;
  env?: Record<string, string>;
}

const bundleDir = resolve(import.meta.dirname, "services");

/** Stacks not yet stopped, so an interrupted run can still clean up after itself. */
export const liveStacks = new Set<Stack>();

// Settings every service of the run gets (e.g. --workers); set once by main.
let runEnv: Record<string, string> = {};

/** Environment every service started from now on gets, before a stack's own `env`. */
export function setRunEnv(env: Record<string, string>): void {
  runEnv = env;
}

// Node.js flags ingest runs with, as it is deployed; set once by main.
let ingestNodeFlags: string[] = [];

/** Node.js flags every ingest started from now on runs with. */
export function setIngestNodeFlags(flags: string[]): void {
  ingestNodeFlags = flags;
}

function serviceEnv(ns: BenchNamespace, port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    DATABASE_URL: ns.databaseUrl,
    NATS_URL: serverUrls().nats,
    PIPERELAY_NATS_PREFIX: ns.prefix,
    PIPERELAY_PORT: String(port),
    PIPERELAY_LOG_LEVEL: "warn",
    // The receiver is on loopback; the admin and dispatcher refuse private targets by default.
    PIPERELAY_ALLOW_PRIVATE_TARGETS: "true",
    PIPERELAY_DELIVERY_ALLOW_PRIVATE_TARGETS: "true",
    ...runEnv,
    ...extra,
  };
}

async function waitForHealth(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} during start-up`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${name} did not become healthy within 30 s`);
}

/** The dispatcher is ready once its pull request is waiting on the consumer. */
async function waitForConsumer(nats: NatsConnection, ns: BenchNamespace, child: ChildProcess): Promise<void> {
  const jsm = await jetstreamManager(nats);
  const { stream, consumer } = queueNames(ns.prefix);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dispatcher exited with ${child.exitCode} during start-up`);
    const info = await jsm.consumers.info(stream, consumer).catch(() => undefined);
    if (info && info.num_waiting > 0) return;
    await sleep(100);
  }
  throw new Error("the dispatcher did not start pulling within 30 s");
}

async function spawnService(name: ServiceName, ns: BenchNamespace, options: StackOptions) {
  const port = name === "dispatcher" ? 0 : await freePort();
  const args = name === "ingest" ? [...ingestNodeFlags] : [];
  if (options.profileDir) {
    mkdirSync(options.profileDir, { recursive: true });
    args.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  mkdirSync(options.logDir, { recursive: true });
  const log = createWriteStream(resolve(options.logDir, `${options.scenario}-${name}.log`));
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...args, resolve(bundleDir, `${name}.mjs`)], {
    // No piperelay.yaml there: the services run on their defaults plus the environment above.
    cwd: bundleDir,
    env: serviceEnv(ns, port, options.env ?? {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const pid = child.pid ?? 0;
  const url = name === "dispatcher" ? undefined : `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    pid,
    url,
    spawnedAt,
    pids: () => withChildren(pid),
    peakRssMiB: () => totalMemoryMiB(pid, "VmHWM"),
    rssMiB: () => totalMemoryMiB(pid, "VmRSS"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  try {
    if (url) await waitForHealth(url, child, name);
    else await waitForConsumer(options.nats, ns, child);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** Creates the scenario's namespace and starts the given services in order. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const namespace = await createNamespace(options.nats);
  const services: Stack["services"] = {};
  const peakRss: Stack["peakRss"] = {};
  let stopped: Promise<void> | undefined;
  const stack: Stack = {
    namespace,
    services,
    peakRss,
    get ingestUrl() {
      return services.ingest?.url ?? "";
    },
    get adminUrl() {
      return services.admin?.url ?? "";
    },
    async start(name, env) {
      const service = await spawnService(name, namespace, { ...options, env: { ...options.env, ...env } });
      services[name] = service;
      return service;
    },
    async stopService(name) {
      const service = services[name];
      if (!service) return;
      peakRss[name] = Math.max(peakRss[name] ?? 0, service.peakRssMiB() ?? 0);
      await service.stop();
      services[name] = undefined;
    },
    stop() {
      stopped ??= (async () => {
        liveStacks.delete(stack);
        // Ingest first (no new work), then the dispatcher, then admin.
        for (const name of ["ingest", "dispatcher", "admin"] as const) await stack.stopService(name);
        await namespace.drop();
      })();
      return stopped;
    },
  };
  liveStacks.add(stack);
  try {
    for (const name of options.services) await stack.start(name);
  } catch (error) {
    await stack.stop().catch(() => {});
    throw error;
  }
  return stack;
}
