export type { AcceptDeps, AcceptedMessage } from "./accept-message.js";
export { acceptMessage, acceptMessages } from "./accept-message.js";
export { ingestComponent } from "./ingest-component.js";
export type { IngestDeps } from "./ingest-parts.js";
export { createIngestParts } from "./ingest-parts.js";
export type { MessageWriter, NewMessage, WrittenMessage } from "./message-writer.js";
export { createMessageWriter } from "./message-writer.js";
export type { ValidMessage } from "./validate-message.js";
export { validateMessage } from "./validate-message.js";
