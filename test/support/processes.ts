import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const root = resolve(import.meta.dirname, "../..");

const bundles = {
  ingest: "services/ingest/dist/main.mjs",
  dispatcher: "services/dispatcher/dist/main.mjs",
  admin: "services/admin/dist/main.mjs",
  piperelay: "packages/cli/dist/piperelay.mjs",
};

/** Runs a bundled service as a real child process (the global setup builds the bundles). */
export function spawnService(
  name: keyof typeof bundles,
  env: Record<string, string>,
  args: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [resolve(root, bundles[name]), ...args], {
    cwd: root,
    env: { ...process.env, PIPERELAY_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    child,
    output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The processes a process forked (a service's workers under `server.processes`), from /proc. */
export function childPids(pid: number): number[] {
  let children = "";
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  } catch {
    // Gone already: no children either.
  }
  return children === "" ? [] : children.split(" ").map(Number);
}

/** Everything a child process writes to its stdout and stderr (piped), as it comes. */
export function collectOutput(child: ChildProcess): () => string {
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => output;
}

/** Resolves when `text` appears in the process's output. */
export async function waitForOutput(proc: ServiceProcess, text: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (Date.now() > deadline)
      throw new Error(`"${text}" not seen within ${timeoutMs} ms; output:\n${proc.output()}`);
    if (proc.child.exitCode !== null)
      throw new Error(`process exited with ${proc.child.exitCode}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
