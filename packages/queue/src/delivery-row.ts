import type { QueuedDelivery } from "./publisher.js";

/** A delivery as the outbox queries read it to publish its job (deliveries joined to messages). */
export interface DeliveryRow {
  id: string;
  application_id: string;
  endpoint_id: string;
  attempt_count: number;
  message_id: string;
  event_type: string;
  trace_context: string | null;
  next_retry_at: Date | null;
}

/**
 * The job to publish for a delivery row, for its next attempt. `dueAt` goes into
 * the job's dedupe id (see jobMessageId): set for a job the outbox relay
 * publishes, left out for one published as ingest first published it.
 */
export function queuedDelivery(row: DeliveryRow, dueAt: Date | undefined): QueuedDelivery {
  return {
    deliveryId: row.id,
    applicationId: row.application_id,
    endpointId: row.endpoint_id,
    attempt: row.attempt_count + 1,
    messageId: row.message_id,
    eventType: row.event_type,
    ...(row.trace_context ? { originTraceparent: row.trace_context } : {}),
    ...(dueAt ? { dueAt } : {}),
  };
}
