import { createHmac } from "node:crypto";
import { secretKeyBytes } from "./secrets.js";

/**
 * The design's `X-PipeRelay-Signature` value: `v1=` and the hex HMAC-SHA256,
 * keyed with the secret string as is, over `<timestamp>.<body>`.
 */
export function signPipeRelay(secret: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `v1=${mac.digest("hex")}`;
}

/**
 * The Standard Webhooks `webhook-signature` value: `v1,` and the base64
 * HMAC-SHA256, keyed with the decoded secret, over `<id>.<timestamp>.<body>`.
 */
export function signStandardWebhooks(
  secret: string,
  webhookId: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac("sha256", secretKeyBytes(secret));
  mac.update(`${webhookId}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest("base64")}`;
}

export interface SignedHeadersInput {
  secret: string;
  /** The message id: the same on every attempt, so receivers can dedupe on it. */
  messageId: string;
  /** Unix seconds at send time. */
  timestamp: number;
  body: string | Uint8Array;
}

/** Both signature schemes' headers for one request. */
export function signatureHeaders(input: SignedHeadersInput): Record<string, string> {
  const { secret, messageId, timestamp, body } = input;
  return {
    "x-piperelay-id": messageId,
    "x-piperelay-timestamp": String(timestamp),
    "x-piperelay-signature": signPipeRelay(secret, timestamp, body),
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signStandardWebhooks(secret, messageId, timestamp, body),
  };
}
