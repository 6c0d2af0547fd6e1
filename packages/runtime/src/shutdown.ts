import cluster from "node:cluster";
import type { Logger } from "@piperelay/core";

/** What the primary of a service running as several processes sends each of them to stop. */
export const shutdownMessage = "piperelay:shutdown";

// Listened for from the moment this module loads: the primary may ask while the process is
// still starting, before stopOnSignal is called, and a message nobody listens for is lost.
let shutdownRequested = false;
let onShutdownRequest: (() => void) | undefined;
if (cluster.isWorker) {
  process.on("message", (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type !== shutdownMessage) return;
    shutdownRequested = true;
    onShutdownRequest?.();
  });
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT and exits 0 when it is done
 * (1 if it throws); a second signal exits at once. A process forked by the
 * primary of a service running as several processes also stops when the
 * primary asks over IPC: a terminal's Ctrl-C reaches every process of the
 * group, so that request may come after the signal, and is not a second one.
 */
export function stopOnSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const begin = (reason: string) => {
    stopping = true;
    logger.info({ signal: reason }, "shutting down");
    exitAfter(logger, stop());
  };
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    begin(signal);
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  onShutdownRequest = () => {
    if (!stopping) begin("primary");
  };
  if (shutdownRequested) onShutdownRequest();
}

/** Exits with `code` once `work` is done, or with 1 (logged) if it fails. */
export function exitAfter(logger: Logger, work: Promise<void>, code = 0): void {
  work.then(
    () => process.exit(code),
    (err: unknown) => {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    },
  );
}
