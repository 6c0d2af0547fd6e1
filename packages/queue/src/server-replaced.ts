import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Calls `onReplaced` each time the connection comes back to a different
 * server process than before (a restarted or failed-over NATS server has a new
 * server id), which may have lost the jobs it had not yet written to disk;
 * `downMs` is how long the connection was down. Runs until the connection closes.
 */
export function watchServerReplaced(nc: NatsConnection, onReplaced: (downMs: number) => void): void {
  let serverId = nc.info?.server_id;
  let disconnectedAt: number | undefined;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") disconnectedAt ??= Date.now();
      if (status.type !== "reconnect") continue;
      const downMs = disconnectedAt === undefined ? 0 : Date.now() - disconnectedAt;
      disconnectedAt = undefined;
      const current = nc.info?.server_id;
      if (current !== undefined && current !== serverId) {
        serverId = current;
        onReplaced(downMs);
      }
    }
  })();
}
