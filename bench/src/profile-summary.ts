// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function
// and per package, with positions in the bundles mapped back to the TypeScript
// sources through the bundles' source maps.
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./infra.js";
import { round } from "./stats.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  seconds: number;
  /** Time not idle, s. */
  busySeconds: number;
  /** Samples before this many seconds after the process started were left out (start-up, warm-up). */
  skippedSeconds: number;
  /** Share of busy time per package or area (node_modules package, PipeRelay package, node internals, GC). */
  byArea: { area: string; percent: number }[];
  /**
   * The same with the time of node internals and native code (socket writes,
   * timers, streams) charged to the nearest package on the stack that called them.
   */
  byCaller: { area: string; percent: number }[];
  /** The functions with the most self time, % of busy time. */
  top: { fn: string; at: string; area: string; percent: number }[];
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    sourceMaps.set(
      file,
      existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined,
    );
  }
  return sourceMaps.get(file);
}

/** Where a frame's code lives: a source path (mapped through the bundle's source map) and line. */
function locate(frame: ProfileNode["callFrame"]): { path: string; line: number } {
  if (!frame.url.startsWith("file://")) return { path: frame.url, line: frame.lineNumber + 1 };
  const file = fileURLToPath(frame.url);
  const map = file.endsWith(".mjs") ? sourceMapOf(file) : undefined;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource) {
    const source = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : resolve(dirname(file), entry.originalSource);
    return { path: relative(repoRoot, source), line: (entry.originalLine ?? 0) + 1 };
  }
  return { path: relative(repoRoot, file), line: frame.lineNumber + 1 };
}

const socketWrites = new Set([
  "writev",
  "writeBuffer",
  "writeUtf8String",
  "writeLatin1String",
  "writeAsciiString",
]);

function areaOf(functionName: string, path: string): string {
  if (functionName === "(garbage collector)") return "GC";
  if (path === "" && socketWrites.has(functionName)) return "socket writes (syscalls)";
  if (functionName === "(program)") return "(program: V8/native)";
  if (path.startsWith("node:") || path === "") return "node internals";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules?.[1]) return modules[1];
  const own = /^(packages|services)\/([^/]+)/.exec(path);
  if (own) return `${own[1]}/${own[2]}`;
  return path.split("/").slice(0, 2).join("/");
}

const unattributed = new Set(["node internals", "socket writes (syscalls)", "(program: V8/native)", "GC"]);

/**
 * Summarizes one profile. `skipSeconds` leaves out the samples of the first
 * seconds after the process started (V8 starts profiling at bootstrap), so
 * module loading and warm-up do not count.
 */
export function summarizeProfile(file: string, skipSeconds = 0, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed < skipSeconds * 1e6) return;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const areaCache = new Map<number, string>();
  const area = (id: number): string => {
    let cached = areaCache.get(id);
    if (cached === undefined) {
      const frame = nodes.get(id)?.callFrame;
      cached = frame ? areaOf(frame.functionName, locate(frame).path) : "node internals";
      areaCache.set(id, cached);
    }
    return cached;
  };
  const callerArea = (id: number): string => {
    const own = area(id);
    if (!unattributed.has(own) || own === "GC") return own;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const a = area(up);
      if (!unattributed.has(a) && a !== "(root)") return a;
    }
    return own;
  };
  const byCaller = new Map<string, number>();
  const byFunction = new Map<string, { fn: string; at: string; area: string; us: number }>();
  const byArea = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, us] of self) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    const { path, line } = locate(frame);
    const fn = frame.functionName || "(anonymous)";
    const own = area(id);
    const at = path ? `${path}:${line}` : "";
    const key = `${fn} ${at}`;
    const entry = byFunction.get(key) ?? { fn, at, area: own, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    byArea.set(own, (byArea.get(own) ?? 0) + us);
    const caller = callerArea(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => round((us / Math.max(busy, 1)) * 100, 2);
  return {
    file: relative(repoRoot, file),
    seconds: round((profile.endTime - profile.startTime) / 1e6),
    busySeconds: round(busy / 1e6),
    skippedSeconds: skipSeconds,
    byArea: [...byArea]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => ({ area: name, percent: pct(us) })),
    byCaller: [...byCaller]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => ({ area: name, percent: pct(us) })),
    top: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ fn: f.fn, at: f.at, area: f.area, percent: pct(f.us) })),
  };
}

/** The summary as text, for the console. */
export function formatProfile(summary: ProfileSummary): string {
  const lines = [
    `${summary.file}: ${summary.busySeconds} s busy (after the first ${summary.skippedSeconds} s)`,
    `  self time by area: ${summary.byArea.map((a) => `${a.area} ${a.percent}%`).join(", ")}`,
    `  charged to callers: ${summary.byCaller.map((a) => `${a.area} ${a.percent}%`).join(", ")}`,
    ...summary.top.map((t) => `  ${String(t.percent).padStart(6)}%  ${t.fn}  ${t.at}`),
  ];
  return lines.join("\n");
}
