import { MessageService } from "@piperelay/proto";
import { type ServicePart, servicePart } from "@piperelay/rpc";
import { createMessageIngestService, type MessageIngestDeps } from "./rpc/message-ingest.js";

export type IngestDeps = MessageIngestDeps;

/** What the ingest service serves: MessageService.SendMessage. */
export function createIngestParts(deps: IngestDeps): ServicePart[] {
  return [servicePart(MessageService, createMessageIngestService(deps))];
}
