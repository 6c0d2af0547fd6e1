import { timingSafeEqual } from "node:crypto";
import { signPipeRelay, signStandardWebhooks } from "./sign.js";

export interface VerifyOptions {
  /** Reject timestamps further than this from now, in seconds. @defaultValue 300 */
  toleranceSeconds?: number;
  /** Unix seconds "now"; injectable for tests. */
  now?: number;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function fresh(timestamp: string | undefined, options: VerifyOptions): number | undefined {
  if (timestamp === undefined || !/^\d+$/.test(timestamp)) return undefined;
  const seconds = Number(timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return Math.abs(now - seconds) <= (options.toleranceSeconds ?? 300) ? seconds : undefined;
}

/**
 * Verifies a delivery the way a receiver should: either scheme's signature
 * matches (any of several space-separated signatures, as during a secret
 * rotation) and the timestamp is recent. Header names are lower-case, as
 * Node's `req.headers` gives them.
 */
export function verifyWebhook(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): boolean {
  const standardId = header(headers, "webhook-id");
  const standardTs = fresh(header(headers, "webhook-timestamp"), options);
  const standardSig = header(headers, "webhook-signature");
  if (standardId !== undefined && standardTs !== undefined && standardSig !== undefined) {
    const expected = signStandardWebhooks(secret, standardId, standardTs, body);
    if (standardSig.split(" ").some((candidate) => equal(candidate, expected))) return true;
  }
  const ts = fresh(header(headers, "x-piperelay-timestamp"), options);
  const sig = header(headers, "x-piperelay-signature");
  if (ts === undefined || sig === undefined) return false;
  const expected = signPipeRelay(secret, ts, body);
  return sig.split(" ").some((candidate) => equal(candidate, expected));
}
