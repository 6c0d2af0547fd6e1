// A minimal PipeRelay webhook receiver: Node.js standard library only.
//
//   WEBHOOK_SECRET=whsec_... PORT=3000 node server.mjs
//
// It checks both signatures PipeRelay puts on every delivery, rejects
// timestamps more than five minutes away from this machine's clock, answers
// 204 when all is well and 401 otherwise, and prints each verified event.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.WEBHOOK_SECRET ?? "";
const port = Number(process.env.PORT ?? 3000);
const toleranceSeconds = 5 * 60;
const maxBodyBytes = 1024 * 1024;

if (!secret.startsWith("whsec_")) {
  console.error("set WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)");
  process.exit(1);
}

/** Compares two strings in constant time (for equal lengths). */
function safeEqual(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Why the timestamp header is unacceptable, or undefined when it is recent. */
function timestampProblem(timestamp) {
  if (!/^\d+$/.test(timestamp ?? "")) return "missing or malformed timestamp";
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  return age > toleranceSeconds ? "timestamp too old (or too far in the future)" : undefined;
}

/**
 * X-PipeRelay-Signature: `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>`,
 * keyed with the secret string as is (including `whsec_`).
 */
function pipeRelayProblem(headers, body) {
  const timestamp = headers["x-piperelay-timestamp"];
  const signature = headers["x-piperelay-signature"];
  if (!signature) return "missing X-PipeRelay-Signature";
  const problem = timestampProblem(timestamp);
  if (problem) return `X-PipeRelay-Timestamp: ${problem}`;
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  // Several space-separated signatures may be sent, e.g. while a secret is rotated.
  const valid = signature.split(" ").some((candidate) => safeEqual(candidate, `v1=${mac}`));
  return valid ? undefined : "X-PipeRelay-Signature does not match";
}

/**
 * Standard Webhooks: `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded
 * part of the secret after `whsec_`.
 */
function standardWebhooksProblem(headers, body) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signature = headers["webhook-signature"];
  if (!id || !signature) return "missing webhook-id or webhook-signature";
  const problem = timestampProblem(timestamp);
  if (problem) return `webhook-timestamp: ${problem}`;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
  const valid = signature.split(" ").some((candidate) => safeEqual(candidate, `v1,${mac}`));
  return valid ? undefined : "webhook-signature does not match";
}

const server = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > maxBodyBytes) {
      res.writeHead(413).end();
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    // Verify the exact bytes received, before any JSON parsing.
    const body = Buffer.concat(chunks);
    const problem = pipeRelayProblem(req.headers, body) ?? standardWebhooksProblem(req.headers, body);
    if (problem) {
      console.error(`rejected: ${problem}`);
      res.writeHead(401, { "content-type": "text/plain" }).end(`${problem}\n`);
      return;
    }
    // Delivery is at least once: a real receiver dedupes on this id before acting.
    const id = req.headers["webhook-id"];
    console.log(`webhook ${id} verified: ${body.toString("utf8")}`);
    res.writeHead(204).end();
  });
});

server.listen(port, () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
