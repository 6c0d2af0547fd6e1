import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Config } from "@piperelay/config";
import type { Logger } from "@piperelay/core";
import { aggregateWorkerMetrics } from "@piperelay/metrics";
import type { ComponentFactory } from "./component.js";
import { createServiceLogger, startProcess } from "./run-process.js";
import { exitAfter, shutdownMessage, stopOnSignal } from "./shutdown.js";

/** How many processes `server.processes` asks for: `auto` is one per core. */
function processCount(config: Config): number {
  const wanted = config.server.processes;
  return wanted === "auto" ? availableParallelism() : wanted;
}

/**
 * Whether this process is the primary of a service running as several
 * processes: it then forks and watches them ({@link superviseWorkers}) and
 * serves nothing itself.
 */
function isSupervisor(config: Config): boolean {
  return cluster.isPrimary && processCount(config) > 1;
}

interface SuperviseOptions {
  logger: Logger;
  /** Environment the workers get on top of this process's, e.g. where local mode started PostgreSQL. */
  env?: Record<string, string>;
  /** Runs after every worker has exited, before this process exits. */
  onStopped?: () => Promise<void>;
}

/**
 * Runs the service as `server.processes` copies of this same command (Node's cluster
 * module), sharing the API's port: one event loop uses at most one core, and
 * a busy ingest is bound by its one loop long before the machine's cores.
 * Each copy is a whole PipeRelay process (its own connections and background
 * work), as if deployed twice. SIGTERM or SIGINT stops them all gracefully (a
 * second signal kills them); should one exit on its own, the others are
 * stopped too and this process exits 1, for the supervisor (systemd,
 * Kubernetes, compose) to restart the whole service. Nothing acknowledged is
 * lost either way: what a process accepted is committed.
 */
function superviseWorkers(config: Config, options: SuperviseOptions): void {
  const { logger } = options;
  const processes = processCount(config);
  aggregateWorkerMetrics();
  let stopping = false;
  let exitCode = 0;
  // Workers whose API listens: their code is loaded and hears the shutdown message. One
  // still starting is sent it once it listens (a message sent earlier would be lost).
  const listening = new Set<Worker>();
  const askToStop = (worker: Worker) => {
    if (worker.isConnected()) worker.send({ type: shutdownMessage });
  };

  const stopAll = () => {
    stopping = true;
    for (const worker of listening) askToStop(worker);
  };

  cluster.on("listening", (worker: Worker) => {
    listening.add(worker);
    if (stopping) askToStop(worker);
  });

  cluster.on("exit", (worker: Worker, code: number | null, signal: string | null) => {
    listening.delete(worker);
    if (!stopping) {
      logger.error(
        { pid: worker.process.pid, code, signal },
        "a process of this service exited on its own; stopping the others",
      );
      exitCode = 1;
      stopAll();
    } else if (code !== 0) {
      exitCode = 1;
    }
    if (Object.keys(cluster.workers ?? {}).length > 0) return;
    exitAfter(logger, options.onStopped?.() ?? Promise.resolve(), exitCode);
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: stopping every process now");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }
    logger.info({ signal, processes }, "shutting down");
    stopAll();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  for (let i = 0; i < processes; i++) cluster.fork(options.env);
  logger.info({ processes }, "started the service's processes");
}

export interface ServeOptions {
  /** @defaultValue the service's logger, as its configuration asks */
  logger?: Logger;
  /** With several processes: environment the workers get on top of this process's. */
  workerEnv?: Record<string, string>;
  /** Runs once the service has stopped (every process of it), before this process exits. */
  onStopped?: () => Promise<void>;
}

/**
 * A service's entry point: the process itself ({@link startProcess}), or, with
 * `server.processes` above 1, a primary that runs that many of them
 * ({@link superviseWorkers}); each of those then comes back here as a worker.
 */
export async function serveProcesses(
  name: string,
  config: Config,
  factories: ComponentFactory[],
  options: ServeOptions = {},
): Promise<void> {
  const logger = options.logger ?? createServiceLogger(name, config);
  if (isSupervisor(config)) {
    superviseWorkers(config, { logger, env: options.workerEnv, onStopped: options.onStopped });
    return;
  }
  const running = await startProcess(name, config, factories, { logger, handleSignals: false });
  stopOnSignal(logger, async () => {
    await running.stop();
    await options.onStopped?.();
  });
}
