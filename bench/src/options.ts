import { parseArgs } from "node:util";

export const phaseNames = [
  "ceilings",
  "ingest",
  "e2e",
  "e2e-batch",
  "latency",
  "backlog",
  "endpoints",
  "profile",
] as const;
export type PhaseName = (typeof phaseNames)[number];

/** The benchmark's knobs; `--quick` shortens every window for development runs. */
export interface BenchOptions {
  quick: boolean;
  only: Set<PhaseName>;
  /** Warm-up before each measured window, ms. */
  warmupMs: number;
  /** Length of each measured window, ms. */
  measureMs: number;
  /** Concurrent clients of the ingest measurements (closed loop). */
  clients: number;
  /** Fan-outs of the end-to-end measurement. */
  fanouts: number[];
  /** Sustained-rate trials per fan-out after the saturation probe. */
  trials: number;
  /** Messages per second of the "moderate" latency measurement (fan-out 1). */
  moderateRate: number;
  /** Messages queued behind the dead endpoint. */
  backlog: number;
  /** How the backlog is queued: written in bulk as ingest would write it (fast), or sent through SendMessage. */
  backlogVia: "seed" | "ingest";
  /** How the dead endpoint fails: refuse the connection, or accept it and never answer. */
  dead: "refuse" | "blackhole";
  /** How long the backlog scenario watches memory and the healthy endpoint once the backlog is queued, ms. */
  observeMs: number;
  /** Endpoints registered in the many-endpoints scenario (one of them subscribed). */
  endpoints: number;
  /** `delivery.workers` of the dispatchers; undefined: the service's default. */
  workers: number | undefined;
  /** Node.js flags ingest runs with: those of the Compose file and the Kubernetes manifest unless given. */
  ingestNodeFlags: string[];
  out: string;
  cleanupOnly: boolean;
}

/**
 * The Node.js flags ingest is deployed with (docker-compose.yml, the Kubernetes
 * manifest, the image's `serve`): a larger young generation, which made ingest
 * spend about a fifth less CPU per message at its highest rates
 * (docs/performance.md, twelfth session). The benchmark measures what ships.
 */
export const deployedIngestNodeFlags = ["--max-semi-space-size=64"];

const usage = `npm run bench -- [options]
  --quick               short windows and a 10,000-message backlog (development; not for the record)
  --only=a,b            phases to run: ${phaseNames.join(", ")}
  --clients=N           concurrent ingest clients (default 32)
  --fanouts=1,10,100    end-to-end fan-outs
  --backlog=N           messages queued behind the dead endpoint (default 100000)
  --backlog-via=seed|ingest  queue it in bulk as ingest would (default) or through SendMessage
  --dead=refuse|blackhole  how the dead endpoint fails (default refuse)
  --endpoints=N         endpoints in the many-endpoints scenario (default 10000)
  --workers=N           delivery.workers of the dispatchers (default: the service's, 200)
  --ingest-node-flags=S Node.js flags of ingest, space-separated (default: the deployments', ${deployedIngestNodeFlags.join(" ")};
                        --ingest-node-flags= for none)
  --out=PATH            results file (default bench/results/latest.json for a full run,
                        bench/dist/partial.json with --only or --quick, so they never replace the record)
  --cleanup             only remove databases and streams an interrupted run left behind`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      clients: { type: "string" },
      fanouts: { type: "string" },
      backlog: { type: "string" },
      dead: { type: "string" },
      "backlog-via": { type: "string" },
      endpoints: { type: "string" },
      workers: { type: "string" },
      "ingest-node-flags": { type: "string" },
      out: { type: "string" },
      cleanup: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const only = new Set<PhaseName>();
  for (const name of (values.only ?? phaseNames.join(",")).split(",")) {
    if (!(phaseNames as readonly string[]).includes(name)) throw new Error(`unknown phase ${name}\n${usage}`);
    only.add(name as PhaseName);
  }
  const positive = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}\n${usage}`);
    return n;
  };
  const int = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : positive(value);
  const backlogVia = values["backlog-via"] ?? "seed";
  if (backlogVia !== "seed" && backlogVia !== "ingest")
    throw new Error("--backlog-via must be seed or ingest");
  const dead = values.dead ?? "refuse";
  if (dead !== "refuse" && dead !== "blackhole") throw new Error(`--dead must be refuse or blackhole`);
  return {
    quick,
    only,
    warmupMs: quick ? 1000 : 2000,
    measureMs: quick ? 3000 : 8000,
    ingestNodeFlags:
      values["ingest-node-flags"] === undefined
        ? deployedIngestNodeFlags
        : values["ingest-node-flags"].split(" ").filter((flag) => flag !== ""),
    clients: int(values.clients, 32),
    fanouts: (values.fanouts ?? "1,10,100").split(",").map((v) => int(v, 1)),
    trials: quick ? 2 : 4,
    moderateRate: 100,
    backlog: int(values.backlog, quick ? 10_000 : 100_000),
    backlogVia,
    dead,
    observeMs: quick ? 15_000 : 45_000,
    endpoints: int(values.endpoints, 10_000),
    workers: values.workers === undefined ? undefined : positive(values.workers),
    out: values.out ?? (values.only || quick ? "bench/dist/partial.json" : "bench/results/latest.json"),
    cleanupOnly: values.cleanup ?? false,
  };
}
