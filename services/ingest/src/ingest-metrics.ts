import { Counter, type Registry } from "@piperelay/metrics";

/** What ingest counts, for Prometheus. */
export interface IngestMetrics {
  /** New messages were committed (idempotent replays are not counted). */
  messagesAccepted(count: number): void;
}

/** Registers ingest's metrics in the process's registry. */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  const accepted = new Counter({
    name: "piperelay_messages_accepted_total",
    help: "Messages accepted by SendMessage or SendMessages and committed with their deliveries (idempotent replays excluded).",
    registers: [registry],
  });
  return { messagesAccepted: (count) => accepted.inc(count) };
}
