import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateSecret, secretProblem } from "./secrets.js";
import { signatureHeaders, signPipeRelay } from "./sign.js";
import { verifyWebhook } from "./verify.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const body = '{"session_id":"sess_abc123","duration":342}';

describe("signPipeRelay", () => {
  it("computes the design's v1 HMAC over timestamp.body keyed with the secret string", () => {
    const expected = createHmac("sha256", secret).update(`1708340101.${body}`).digest("hex");
    expect(signPipeRelay(secret, 1708340101, body)).toBe(`v1=${expected}`);
  });
});

describe("signatureHeaders", () => {
  it("matches the Standard Webhooks reference vector", () => {
    // The example from the Standard Webhooks specification.
    const headers = signatureHeaders({
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(headers["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("produces headers that verifyWebhook accepts and rejects when the body changes", () => {
    const now = 1_700_000_000;
    const headers = signatureHeaders({ secret, messageId: "msg_1", timestamp: now, body });
    expect(verifyWebhook(secret, headers, body, { now })).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `, { now })).toBe(false);
    expect(verifyWebhook(secret, headers, body, { now: now + 301 })).toBe(false);
  });
});

describe("secret rotation overlap", () => {
  it("signs with the old and the new secret, space-separated, so receivers with either verify", () => {
    const now = 1_700_000_000;
    const old = generateSecret();
    const headers = signatureHeaders({
      secret,
      additionalSecrets: [old],
      messageId: "msg_1",
      timestamp: now,
      body,
    });
    expect(headers["x-piperelay-signature"]?.split(" ")).toHaveLength(2);
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verifyWebhook(secret, headers, body, { now })).toBe(true);
    expect(verifyWebhook(old, headers, body, { now })).toBe(true);
    expect(verifyWebhook(generateSecret(), headers, body, { now })).toBe(false);
  });
});

describe("secrets", () => {
  it("generates secrets that pass validation and differ each time", () => {
    const a = generateSecret();
    expect(secretProblem(a)).toBeUndefined();
    expect(a).not.toBe(generateSecret());
  });
  it("rejects secrets without the whsec_ prefix", () => {
    expect(secretProblem("abc")).toContain("whsec_");
  });
});
