import { type ChildProcess, fork } from "node:child_process";
import { resolve } from "node:path";
import { cpuSeconds, memoryMiB } from "../proc.js";
import type { PhaseStats, ReceiverReply, ReceiverRequest } from "./protocol.js";

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type Ask = WithoutId<ReceiverRequest>;

/** The parent's handle on the receiver process. */
export interface Receiver {
  pid: number;
  /** `http://127.0.0.1:<port>`; endpoints use `<base>/hook/<n>`. */
  baseUrl: string;
  /** Arrivals so far in each phase, and in all. */
  count(phases: string[]): Promise<{ total: number; counts: Record<string, number> }>;
  stats(phase: string): Promise<PhaseStats>;
  forget(phases: string[]): Promise<void>;
  cpuSeconds(): number;
  peakRssMiB(): number | undefined;
  close(): Promise<void>;
}

/** Starts the receiver (bench/dist/receiver.mjs, built beside this bundle) and waits until it listens. */
export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(resolve(import.meta.dirname, "receiver.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (reply: ReceiverReply) => void>();
  let nextId = 1;
  const port = await new Promise<number>((done, fail) => {
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`the receiver exited with ${code}`)));
    child.on("message", (reply: ReceiverReply) => {
      if (reply.type === "listening") done(reply.port);
      else pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
    });
  });
  function ask<T extends ReceiverReply["type"]>(request: Ask): Promise<Extract<ReceiverReply, { type: T }>> {
    const id = nextId++;
    return new Promise((done) => {
      pending.set(id, (reply) => done(reply as Extract<ReceiverReply, { type: T }>));
      child.send({ ...request, id });
    });
  }
  const pid = child.pid ?? 0;
  return {
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    async count(phases) {
      const { total, counts } = await ask<"count">({ type: "count", phases });
      return { total, counts };
    },
    async stats(phase) {
      const { type: _t, id: _i, ...stats } = await ask<"stats">({ type: "stats", phase });
      return stats;
    },
    async forget(phases) {
      await ask<"ok">({ type: "forget", phases });
    },
    cpuSeconds: () => cpuSeconds(pid) ?? 0,
    peakRssMiB: () => memoryMiB(pid, "VmHWM"),
    close: async () => {
      const exited = new Promise((done) => child.once("exit", done));
      child.disconnect();
      await exited;
    },
  };
}
