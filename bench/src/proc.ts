// Readers of /proc: CPU time and memory of processes, and finding the
// PostgreSQL and NATS processes the benchmark's work lands on.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { childPids } from "../../test/support/processes.js";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ); 100 on every Linux this runs on. */
const ticksPerSecond = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in seconds, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond;
}

/**
 * Write system calls a process has made (`syscw` of /proc/<pid>/io: write,
 * writev and the like; every socket send of Node and PostgreSQL is one), or
 * undefined once it is gone.
 */
export function writeCalls(pid: number): number | undefined {
  const match = /^syscw:\s+(\d+)/m.exec(read(`/proc/${pid}/io`) ?? "");
  return match ? Number(match[1]) : undefined;
}

/** A field of /proc/<pid>/status in MiB (VmHWM: peak RSS, VmRSS: current RSS). */
export function memoryMiB(pid: number, field: "VmHWM" | "VmRSS"): number | undefined {
  const status = read(`/proc/${pid}/status`);
  const match = status === undefined ? null : new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}

/** A process and its children (a service's primary and the workers it forked, `server.processes`). */
export function withChildren(pid: number): number[] {
  return [pid, ...childPids(pid)];
}

/** A field of /proc/<pid>/status in MiB, summed over a process and its children. */
export function totalMemoryMiB(pid: number, field: "VmHWM" | "VmRSS"): number | undefined {
  const each = withChildren(pid).map((p) => memoryMiB(p, field));
  return each[0] === undefined ? undefined : each.reduce<number>((sum, m) => sum + (m ?? 0), 0);
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function cmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " ").trim();
}

/** Backends serving `database` (their title is `postgres: <cluster>: <user> <database> <client> …`). */
export function postgresBackends(database: string): number[] {
  return allPids().filter((pid) => {
    const title = cmdline(pid);
    return title.startsWith("postgres: ") && title.includes(` ${database} `);
  });
}

const auxiliaryTitles = [
  "checkpointer",
  "background writer",
  "walwriter",
  "autovacuum launcher",
  "logical replication launcher",
  "stats collector",
];

/** The postmaster and PostgreSQL's background processes (shared by every database on the server). */
export function postgresAuxiliaries(): number[] {
  return allPids().filter((pid) => {
    const title = cmdline(pid);
    if (/\/postgres(\s|$)/.test(title.split(" -D")[0] ?? "") && title.includes(" -D ")) return true;
    return title.startsWith("postgres: ") && auxiliaryTitles.some((t) => title.endsWith(`: ${t}`));
  });
}

/** The process listening on a TCP port of this machine (e.g. nats-server on 4222), if any. */
export function listenerOf(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of (read(table) ?? "").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== "0A") continue;
      if (Number.parseInt(local.split(":")[1] ?? "", 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return pid;
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = (read("/proc/stat") ?? "").split("\n")[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

/** Groups of processes whose CPU time a phase adds up, e.g. `ingest` or `postgres (this database)`. */
export type PidSource = () => number[];

interface Reading {
  seconds: number;
  writes: number;
}

/**
 * Tracks the CPU seconds and write system calls that groups of processes
 * spend between `start()` and `stop()`. Sampling every `intervalMs` catches
 * processes that start during the window (a new pool connection's backend)
 * and keeps the last reading of those that exit, so short-lived backends are
 * counted up to their last sample.
 */
export class CpuTracker {
  private readonly base = new Map<number, Reading>();
  private readonly last = new Map<number, Reading & { group: string }>();
  private timer: NodeJS.Timeout | undefined;
  private machineStart = machineCpu();
  private wallStart = performance.now();

  constructor(
    private readonly groups: Record<string, PidSource>,
    private readonly intervalMs = 500,
  ) {}

  private sample(initial: boolean): void {
    for (const [group, source] of Object.entries(this.groups)) {
      for (const pid of source()) {
        const seconds = cpuSeconds(pid);
        if (seconds === undefined) continue;
        const reading = { seconds, writes: writeCalls(pid) ?? 0 };
        if (initial) this.base.set(pid, reading);
        else if (!this.base.has(pid) && !this.last.has(pid)) this.base.set(pid, { seconds: 0, writes: 0 });
        this.last.set(pid, { group, ...reading });
      }
    }
  }

  start(): this {
    this.machineStart = machineCpu();
    this.wallStart = performance.now();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** CPU seconds and write calls per group, plus the machine's busy time that none of the groups explains. */
  stop(): {
    byGroup: Record<string, number>;
    writesByGroup: Record<string, number>;
    others: number;
    wallSeconds: number;
    cores: number;
  } {
    clearInterval(this.timer);
    this.sample(false);
    const byGroup: Record<string, number> = Object.fromEntries(Object.keys(this.groups).map((g) => [g, 0]));
    const writesByGroup: Record<string, number> = { ...byGroup };
    for (const [pid, { group, seconds, writes }] of this.last) {
      const base = this.base.get(pid);
      byGroup[group] = (byGroup[group] ?? 0) + seconds - (base?.seconds ?? 0);
      writesByGroup[group] = (writesByGroup[group] ?? 0) + writes - (base?.writes ?? 0);
    }
    const machine = machineCpu();
    const busy = machine.busy - this.machineStart.busy;
    const wallSeconds = (performance.now() - this.wallStart) / 1000;
    const ours = Object.values(byGroup).reduce((a, b) => a + b, 0);
    const cores = (machine.total - this.machineStart.total) / Math.max(wallSeconds, 1e-9);
    return { byGroup, writesByGroup, others: Math.max(0, busy - ours), wallSeconds, cores };
  }
}
