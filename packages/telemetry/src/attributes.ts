import {
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_SYSTEM_NAME,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from "@opentelemetry/semantic-conventions";

/**
 * PipeRelay's own span attributes. Every span of a message's journey carries
 * the ids it knows, so a trace can be found from any of them.
 */
export const PipeRelayAttributes = {
  applicationId: "piperelay.application_id",
  endpointId: "piperelay.endpoint_id",
  messageId: "piperelay.message_id",
  deliveryId: "piperelay.delivery_id",
  eventType: "piperelay.event_type",
  /** The attempt's number for its delivery (1 for the first; keeps counting across manual retries). */
  attemptNumber: "piperelay.attempt_number",
  /** How many deliveries a message fanned out to. */
  endpointsTargeted: "piperelay.endpoints_targeted",
  /** The delivery's status after an attempt: `success`, `retrying` or `failed`. */
  deliveryStatus: "piperelay.delivery_status",
  /** True when an idempotency key returned an earlier message instead of storing a new one. */
  idempotentReplay: "piperelay.idempotent_replay",
  /** What the dispatcher told JetStream about a job: `ack` or `nak`. */
  jobDecision: "piperelay.job.decision",
  jobReason: "piperelay.job.reason",
  /** How many times JetStream has handed this job out (1 on first delivery). */
  jobDeliveryCount: "piperelay.job.delivery_count",
  /** True when JetStream dropped a publish as a duplicate of one within its dedupe window. */
  jobDuplicate: "piperelay.job.duplicate",
  /** Why a span links to another trace instead of continuing it. */
  linkReason: "piperelay.link.reason",
} as const;

/**
 * Messaging attributes of the OpenTelemetry semantic conventions. They are
 * still incubating, which is why they are spelled out here rather than
 * imported from `@opentelemetry/semantic-conventions/incubating`.
 */
export const MessagingAttributes = {
  system: "messaging.system",
  destinationName: "messaging.destination.name",
  destinationTemplate: "messaging.destination.template",
  operationName: "messaging.operation.name",
  operationType: "messaging.operation.type",
  messageId: "messaging.message.id",
  consumerGroupName: "messaging.consumer.group.name",
} as const;

/** `messaging.system` of PipeRelay's queue. */
export const messagingSystem = "nats";

/** Attributes of a span around PostgreSQL statements, e.g. `INSERT messages, deliveries`. */
export function postgresAttributes(querySummary: string): Record<string, string> {
  return {
    [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
    [ATTR_DB_QUERY_SUMMARY]: querySummary,
  };
}
