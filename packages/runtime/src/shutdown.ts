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
 * primary asks over IPC. A terminal's Ctrl-C, or systemd's default stop,
 * signals every process of the group, so a process hears of one shutdown both
 * ways, in either order: its first signal is never a second one.
 */
export function stopOnSignal(logger: Logger, stop: () => Promise<void>): void {
  let stoppedBy: "signal" | "primary" | undefined;
  const begin = (reason: "signal" | "primary", name: string) => {
    stoppedBy = reason;
    logger.info({ signal: name }, "shutting down");
    exitAfter(logger, stop());
  };
  const handler = (signal: NodeJS.Signals) => {
    if (stoppedBy === "signal") {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    if (stoppedBy === "primary") stoppedBy = "signal";
    else begin("signal", signal);
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  onShutdownRequest = () => {
    if (stoppedBy === undefined) begin("primary", "primary");
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
