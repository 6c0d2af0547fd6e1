import type { SendMessagesRequest } from "@piperelay/proto";
import type { Failure } from "@piperelay/rpc";
import { type ValidMessage, validateMessage } from "./validate-message.js";

export interface BatchLimits {
  maxPayloadBytes: number;
  maxMessages: number;
}

/**
 * Checks a SendMessages request: every message as SendMessage checks one, the
 * first problem named by its index (`messages[3].event_type`). `headerKey` is
 * the Idempotency-Key header, which one key for many messages cannot honour.
 */
export function validateBatch(
  request: SendMessagesRequest,
  headerKey: string | null,
  limits: BatchLimits,
): ValidMessage[] | Failure {
  if (headerKey !== null) {
    return {
      outcome: "invalid_argument",
      field: "Idempotency-Key",
      reason: "is not accepted by SendMessages; give each message its own idempotency_key",
    };
  }
  const count = request.messages.length;
  if (count === 0)
    return { outcome: "invalid_argument", field: "messages", reason: "needs at least one message" };
  if (count > limits.maxMessages) {
    return {
      outcome: "invalid_argument",
      field: "messages",
      reason: `holds ${count} messages, more than the limit of ${limits.maxMessages} per call`,
    };
  }
  const valid: ValidMessage[] = [];
  for (const [i, message] of request.messages.entries()) {
    const result = validateMessage(message, null, limits.maxPayloadBytes);
    if ("outcome" in result) {
      const at = `messages[${i}]`;
      if (result.outcome === "invalid_argument") return { ...result, field: `${at}.${result.field}` };
      if (result.outcome === "payload_too_large") return { ...result, field: `${at}.payload` };
      return result;
    }
    valid.push(result);
  }
  return valid;
}
