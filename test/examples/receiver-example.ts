import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { signatureHeaders } from "@piperelay/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { startStack, type TestStack } from "../support/stack.js";

export const repositoryRoot = resolve(import.meta.dirname, "../..");

/** How to start one of the examples/ receivers: a command run from the repository root. */
export interface ReceiverExample {
  name: string;
  command: string;
  args: string[];
}

/** A running example receiver and everything it printed. */
interface RunningReceiver {
  url: string;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** A secret in the form PipeRelay generates: `whsec_` and base64 of 24 random bytes. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** Starts the example with PORT=0 and reads the port it chose from its first line. */
async function startExample(example: ReceiverExample, secret: string): Promise<RunningReceiver> {
  const child: ChildProcess = spawn(example.command, example.args, {
    cwd: repositoryRoot,
    env: { ...process.env, PORT: "0", WEBHOOK_SECRET: secret },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const port = await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`${example.name} exited ${child.exitCode}: ${stderr}`);
      return /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
    },
    30_000,
    `${example.name} to listen`,
  );
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * The behaviour every example receiver must show: it verifies a real delivery
 * from PipeRelay and answers 204, and it answers 401 to requests sent to it
 * directly with a wrong signature under either scheme, a changed body, or a
 * stale timestamp.
 */
export function describeReceiverExample(example: ReceiverExample): void {
  describe(`the ${example.name} example receiver`, () => {
    const secret = newSecret();
    let stack: TestStack;
    let receiver: RunningReceiver;

    beforeAll(async () => {
      stack = await startStack();
      receiver = await startExample(example, secret);
    });
    afterAll(async () => {
      await receiver?.stop();
      await stack?.stop();
    });

    /** POSTs `body` straight to the receiver with the given headers. */
    async function post(body: string, headers: Record<string, string>): Promise<number> {
      const response = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      await response.text();
      return response.status;
    }
    const now = () => Math.floor(Date.now() / 1000);
    const signed = (body: string, options: { secret?: string; timestamp?: number } = {}) =>
      signatureHeaders({
        secret: options.secret ?? secret,
        messageId: "msg_direct",
        timestamp: options.timestamp ?? now(),
        body,
      });

    it("verifies a real delivery, prints the event and answers 204", async () => {
      const app = await createApp(stack.baseUrl);
      const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url, secret });
      expect(endpoint.secret).toBe(secret);
      const marker = randomBytes(8).toString("hex");
      const sent = await sendMessage(stack.baseUrl, app.apiKey, {
        event_type: "session.completed",
        payload: { session_id: "sess_abc123", marker },
      });
      const messageId = String(sent.id);

      const line = await eventually(
        () =>
          receiver
            .stdout()
            .split("\n")
            .find((l) => l.startsWith(`webhook ${messageId} verified: `)),
        15_000,
        `the receiver to print ${messageId}\nstdout: ${receiver.stdout()}\nstderr: ${receiver.stderr()}`,
      );
      expect(JSON.parse(line.slice(line.indexOf(": ") + 2))).toEqual({ session_id: "sess_abc123", marker });

      const message = await eventually(async () => {
        const res = await restClient(stack.baseUrl, app.apiKey)("GET", `/api/v1/messages/${messageId}`);
        return res.body.status === "delivered" ? res.body : undefined;
      });
      const deliveries = message.deliveries as Record<string, unknown>[];
      expect(deliveries).toEqual([expect.objectContaining({ status: "success", attempt_count: 1 })]);
      expect(deliveries[0]?.attempts).toEqual([
        expect.objectContaining({ attempt_number: 1, status_code: 204, error: "" }),
      ]);
    });

    it("accepts a correctly signed request sent directly", async () => {
      const body = '{"direct":true}';
      expect(await post(body, signed(body))).toBe(204);
      await eventually(
        () => (receiver.stdout().includes('webhook msg_direct verified: {"direct":true}') ? true : undefined),
        5_000,
        "the receiver to print the direct request",
      );
    });

    it("rejects a wrong X-PipeRelay-Signature with 401, even when the Standard Webhooks one is right", async () => {
      const body = '{"tampered":"piperelay"}';
      const headers = signed(body);
      headers["x-piperelay-signature"] = signed(body, { secret: newSecret() })["x-piperelay-signature"] ?? "";
      expect(await post(body, headers)).toBe(401);
    });

    it("rejects a wrong webhook-signature with 401, even when the PipeRelay one is right", async () => {
      const body = '{"tampered":"standard"}';
      const headers = signed(body);
      headers["webhook-signature"] = signed(body, { secret: newSecret() })["webhook-signature"] ?? "";
      expect(await post(body, headers)).toBe(401);
    });

    it("rejects a body changed after signing with 401", async () => {
      expect(await post('{"amount":1000}', signed('{"amount":10}'))).toBe(401);
    });

    it("rejects a correctly signed request with a stale timestamp with 401", async () => {
      const body = '{"replayed":true}';
      expect(await post(body, signed(body, { timestamp: now() - 6 * 60 }))).toBe(401);
    });

    it("rejects a request without signatures with 401", async () => {
      expect(await post('{"unsigned":true}', {})).toBe(401);
      expect(receiver.stdout()).not.toMatch(/tampered|amount|replayed|unsigned/);
    });
  });
}
