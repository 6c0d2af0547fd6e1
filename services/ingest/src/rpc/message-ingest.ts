import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type MessageService, SendMessageResponseSchema } from "@piperelay/proto";
import { fail, requireApplicationId } from "@piperelay/rpc";
import { type AcceptDeps, acceptMessage } from "../accept-message.js";
import { validateMessage } from "../validate-message.js";

export interface MessageIngestDeps extends AcceptDeps {
  maxPayloadBytes: number;
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
