import { createDeliveryPublisher, prepareQueue } from "@piperelay/queue";
import type { ComponentFactory } from "@piperelay/runtime";
import { createIngestMetrics } from "./ingest-metrics.js";
import { createIngestParts } from "./ingest-parts.js";
import { createMessageWriter } from "./message-writer.js";

/** The ingest service: accepts messages, commits them with their deliveries, publishes the deliveries. */
export const ingestComponent: ComponentFactory = async ({ config, logger, clients, metrics }) => {
  const { nc, names, database } = clients;
  // Publishing needs the stream; creating it here lets ingest start before any dispatcher.
  await prepareQueue(database.prisma, nc, names, { deliveryTimeoutMs: config.delivery.timeout });
  const onPublishError = (err: unknown) =>
    logger.warn({ err }, "could not publish deliveries; the outbox relay will publish them");
  const publisher = createDeliveryPublisher({
    nc,
    pool: database.pool,
    names,
    onPublishError,
    markInBackground: true,
    // Most deliveries are attempted within a second: their marks then cost only a lookup.
    markDelayMs: 1000,
    onMarkError: (err, count) =>
      logger.warn(
        { err, count },
        "could not mark published deliveries; the outbox relay may publish them twice",
      ),
  });
  return {
    name: "ingest",
    // The marks of the last requests answered, before the database connection closes.
    stop: () => publisher.settled(),
    parts: createIngestParts({
      prisma: database.prisma,
      writeMessage: createMessageWriter(database.pool),
      publisher,
      maxPayloadBytes: config.server.max_payload_size,
      maxBatchMessages: config.server.max_batch_messages,
      onPublishError,
      metrics: createIngestMetrics(metrics),
    }),
  };
};
