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
  /** The endpoint's secret. */
  secret: string;
  /**
   * Secrets that also sign, during a rotation's overlap: each signature header
   * then carries one signature per secret, space-separated, current first.
   */
  additionalSecrets?: readonly string[];
  /** The message id: the same on every attempt, so receivers can dedupe on it. */
  messageId: string;
  /** Unix seconds at send time. */
  timestamp: number;
  body: string | Uint8Array;
}

/** Both signature schemes' headers for one request. */
export function signatureHeaders(input: SignedHeadersInput): Record<string, string> {
  const { messageId, timestamp, body } = input;
  const secrets = [input.secret, ...(input.additionalSecrets ?? [])];
  return {
    "x-piperelay-id": messageId,
    "x-piperelay-timestamp": String(timestamp),
    "x-piperelay-signature": secrets.map((secret) => signPipeRelay(secret, timestamp, body)).join(" "),
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets
      .map((secret) => signStandardWebhooks(secret, messageId, timestamp, body))
      .join(" "),
  };
}
