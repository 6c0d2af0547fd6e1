import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type MessageService, SendMessageResponseSchema, SendMessagesResponseSchema } from "@piperelay/proto";
import { fail, requestLoggerKey, requireApplicationId } from "@piperelay/rpc";
import { type AcceptDeps, type AcceptedMessage, acceptMessage, acceptMessages } from "../accept-message.js";
import type { IngestMetrics } from "../ingest-metrics.js";
import { validateBatch } from "../validate-batch.js";
import { validateMessage } from "../validate-message.js";

export interface MessageIngestDeps extends AcceptDeps {
  maxPayloadBytes: number;
  /** Most messages one SendMessages call may carry. */
  maxBatchMessages: number;
  /** Counts accepted messages; none in tests that do not look. */
  metrics?: IngestMetrics;
}

/** The ingest side of MessageService: SendMessage and SendMessages (the admin service serves the queries). */
export function createMessageIngestService(
  deps: MessageIngestDeps,
): Pick<ServiceImpl<typeof MessageService>, "sendMessage" | "sendMessages"> {
  function toResponse(accepted: AcceptedMessage) {
    return create(SendMessageResponseSchema, {
      id: accepted.id,
      eventType: accepted.eventType,
      status: accepted.status,
      endpointsTargeted: accepted.endpointsTargeted,
      timestamp: timestampFromDate(accepted.timestamp),
    });
  }

  return {
    async sendMessage(request, ctx) {
      const applicationId = requireApplicationId(ctx);
      const valid = validateMessage(request, ctx.requestHeader.get("idempotency-key"), deps.maxPayloadBytes);
      if ("outcome" in valid) fail(valid);
      const accepted = await acceptMessage(deps, applicationId, valid);
      if (!accepted.idempotentReplay) deps.metrics?.messagesAccepted(1);
      ctx.values.get(requestLoggerKey)?.info(
        {
          message_id: accepted.id,
          application_id: applicationId,
          event_type: accepted.eventType,
          endpoints_targeted: accepted.endpointsTargeted,
          idempotent_replay: accepted.idempotentReplay,
        },
        "message accepted",
      );
      return toResponse(accepted);
    },

    async sendMessages(request, ctx) {
      const applicationId = requireApplicationId(ctx);
      const valid = validateBatch(request, ctx.requestHeader.get("idempotency-key"), {
        maxPayloadBytes: deps.maxPayloadBytes,
        maxMessages: deps.maxBatchMessages,
      });
      if ("outcome" in valid) fail(valid);
      const accepted = await acceptMessages(deps, applicationId, valid);
      const replays = accepted.filter((a) => a.idempotentReplay).length;
      deps.metrics?.messagesAccepted(accepted.length - replays);
      ctx.values.get(requestLoggerKey)?.info(
        {
          application_id: applicationId,
          messages: accepted.length,
          idempotent_replays: replays,
          endpoints_targeted: accepted.reduce((sum, a) => sum + a.endpointsTargeted, 0),
        },
        "messages accepted",
      );
      return create(SendMessagesResponseSchema, { messages: accepted.map(toResponse) });
    },
  };
}
