import { toJsonString } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { eventTypeProblem } from "@piperelay/core";
import type { SendMessageRequest } from "@piperelay/proto";
import type { Failure } from "@piperelay/rpc";

/** A message that passed validation, with its payload serialized once: these bytes are what gets signed and sent. */
export interface ValidMessage {
  eventType: string;
  payload: string;
  idempotencyKey: string | undefined;
}

const maxIdempotencyKeyLength = 256;

/** Checks a SendMessage request; `headerKey` is the Idempotency-Key header, if sent. */
export function validateMessage(
  request: SendMessageRequest,
  headerKey: string | null,
  maxPayloadBytes: number,
): ValidMessage | Failure {
  const problem = eventTypeProblem(request.eventType);
  if (problem) return { outcome: "invalid_argument", field: "event_type", reason: problem };
  if (request.payload === undefined) {
    return { outcome: "invalid_argument", field: "payload", reason: "is required (any JSON value)" };
  }
  const payload = toJsonString(ValueSchema, request.payload);
  const size = Buffer.byteLength(payload);
  if (size > maxPayloadBytes) return { outcome: "payload_too_large", size, limit: maxPayloadBytes };

  const fieldKey = request.idempotencyKey || undefined;
  const key = headerKey ?? fieldKey;
  if (headerKey !== null && fieldKey !== undefined && headerKey !== fieldKey) {
    return {
      outcome: "invalid_argument",
      field: "idempotency_key",
      reason: "differs from the Idempotency-Key header; send one or the other",
    };
  }
  if (key !== undefined && (key.length === 0 || key.length > maxIdempotencyKeyLength)) {
    return {
      outcome: "invalid_argument",
      field: "idempotency_key",
      reason: `must be 1 to ${maxIdempotencyKeyLength} characters`,
    };
  }
  return { eventType: request.eventType, payload, idempotencyKey: key };
}
