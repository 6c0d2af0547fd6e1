import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type MessageService, SendMessageResponseSchema } from "@piperelay/proto";
import { fail, requestLoggerKey, requireApplicationId } from "@piperelay/rpc";
import { type AcceptDeps, acceptMessage } from "../accept-message.js";
import type { IngestMetrics } from "../ingest-metrics.js";
import { validateMessage } from "../validate-message.js";

export interface MessageIngestDeps extends AcceptDeps {
  maxPayloadBytes: number;
  /** Counts accepted messages; none in tests that do not look. */
  metrics?: IngestMetrics;
}

/** The ingest side of MessageService: SendMessage only (the admin service serves the queries). */
export function createMessageIngestService(
  deps: MessageIngestDeps,
): Pick<ServiceImpl<typeof MessageService>, "sendMessage"> {
  return {
    async sendMessage(request, ctx) {
      const applicationId = requireApplicationId(ctx);
      const valid = validateMessage(request, ctx.requestHeader.get("idempotency-key"), deps.maxPayloadBytes);
      if ("outcome" in valid) fail(valid);
      const accepted = await acceptMessage(deps, applicationId, valid);
      if (!accepted.idempotentReplay) deps.metrics?.messageAccepted();
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
      return create(SendMessageResponseSchema, {
        id: accepted.id,
        eventType: accepted.eventType,
        status: accepted.status,
        endpointsTargeted: accepted.endpointsTargeted,
        timestamp: timestampFromDate(accepted.timestamp),
      });
    },
  };
}
