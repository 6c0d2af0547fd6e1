import { Counter, type Registry } from "@piperelay/metrics";

/** What ingest counts, for Prometheus. */
export interface IngestMetrics {
  /** A new message was committed (idempotent replays are not counted). */
  messageAccepted(): void;
}

/** Registers ingest's metrics in the process's registry. */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  const accepted = new Counter({
    name: "piperelay_messages_accepted_total",
    help: "Messages accepted by SendMessage and committed with their deliveries (idempotent replays excluded).",
    registers: [registry],
  });
  return { messageAccepted: () => accepted.inc() };
}
