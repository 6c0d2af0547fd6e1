"""A minimal PipeRelay webhook receiver: Python standard library only.

    WEBHOOK_SECRET=whsec_... PORT=3000 python3 receiver.py

It checks both signatures PipeRelay puts on every delivery, rejects timestamps
more than five minutes away from this machine's clock, answers 204 when all is
well and 401 otherwise, and prints each verified event.
"""

import base64
import hashlib
import hmac
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "")
PORT = int(os.environ.get("PORT", "3000"))
TOLERANCE_SECONDS = 5 * 60
MAX_BODY_BYTES = 1024 * 1024


def timestamp_problem(timestamp):
    """Why the timestamp header is unacceptable, or None when it is recent."""
    if not timestamp or not timestamp.isdigit():
        return "missing or malformed timestamp"
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return "timestamp too old (or too far in the future)"
    return None


def piperelay_problem(headers, body):
    """X-PipeRelay-Signature: "v1=" + hex HMAC-SHA256 of "<timestamp>.<body>",
    keyed with the secret string as is (including "whsec_")."""
    timestamp = headers.get("X-PipeRelay-Timestamp")
    signature = headers.get("X-PipeRelay-Signature")
    if not signature:
        return "missing X-PipeRelay-Signature"
    problem = timestamp_problem(timestamp)
    if problem:
        return f"X-PipeRelay-Timestamp: {problem}"
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    expected = "v1=" + mac.hexdigest()
    # Several space-separated signatures may be sent, e.g. while a secret is rotated.
    if any(hmac.compare_digest(candidate, expected) for candidate in signature.split(" ")):
        return None
    return "X-PipeRelay-Signature does not match"


def standard_webhooks_problem(headers, body):
    """Standard Webhooks: webhook-signature is "v1," + base64 HMAC-SHA256 of
    "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64-decoded
    part of the secret after "whsec_"."""
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signature = headers.get("webhook-signature")
    if not webhook_id or not signature:
        return "missing webhook-id or webhook-signature"
    problem = timestamp_problem(timestamp)
    if problem:
        return f"webhook-timestamp: {problem}"
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    expected = "v1," + base64.b64encode(mac.digest()).decode()
    if any(hmac.compare_digest(candidate, expected) for candidate in signature.split(" ")):
        return None
    return "webhook-signature does not match"


class WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.send_response(413)
            self.end_headers()
            return
        # Verify the exact bytes received, before any JSON parsing.
        body = self.rfile.read(length)
        problem = piperelay_problem(self.headers, body) or standard_webhooks_problem(self.headers, body)
        if problem:
            print(f"rejected: {problem}", file=sys.stderr, flush=True)
            self.send_response(401)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"{problem}\n".encode())
            return
        # Delivery is at least once: a real receiver dedupes on this id before acting.
        print(f"webhook {self.headers.get('webhook-id')} verified: {body.decode()}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass  # one line per webhook above is enough


def main():
    if not SECRET.startswith("whsec_"):
        sys.exit("set WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")
    server = ThreadingHTTPServer(("", PORT), WebhookHandler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
