import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createEndpoint } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, "../../packages/cli/dist/piperelay.mjs");
let stack: TestStack;
let receiver: Receiver;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
  env = { ...process.env, ...stackEnv(stack.database, stack.config.queue.prefix) } as Record<string, string>;
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

async function piperelay(...args: string[]) {
  return run(process.execPath, [cli, ...args], { env, cwd: resolve(import.meta.dirname, "../..") });
}

describe("the piperelay command", () => {
  it("prints its version", async () => {
    const { stdout } = await piperelay("version");
    expect(stdout.trim()).toMatch(/^piperelay \d+\.\d+\.\d+$/);
  });

  it("reports migrations as applied", async () => {
    const { stdout } = await piperelay("migrate", "status");
    expect(stdout).toMatch(/0001\s+initial\s+applied/);
    const up = await piperelay("migrate", "up");
    expect(up.stdout).toMatch(/already up to date/);
  });

  it("creates and lists applications, then sends a test message that is delivered", async () => {
    const created = await piperelay("app", "create", "--name", "CLI app");
    const id = /id:\s+(app_\S+)/.exec(created.stdout)?.[1];
    const apiKey = /api_key:\s+(pk_live_\S+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(apiKey).toBeDefined();
    const listed = await piperelay("app", "list");
    expect(listed.stdout).toContain(`${id}`);
    expect(listed.stdout).toContain("CLI app");

    await createEndpoint(stack.baseUrl, apiKey!, { url: receiver.url });
    const sent = await piperelay(
      "test",
      "send",
      "--app-id",
      id!,
      "--event",
      "test.ping",
      "--payload",
      '{"hello":"world"}',
    );
    const messageId = /^(msg_\S+)/.exec(sent.stdout)?.[1];
    expect(sent.stdout).toContain("endpoints_targeted=1");
    const [request] = await receiver.waitFor(1);
    expect(request?.headers["x-piperelay-id"]).toBe(messageId);
    expect(JSON.parse(request?.body ?? "")).toEqual({ hello: "world" });

    const stats = await piperelay("stats");
    expect(stats.stdout).toMatch(/messages today\s+1/);
  });

  it("replays failed deliveries", async () => {
    const created = await piperelay("app", "create", "--name", "replay");
    const apiKey = String(/api_key:\s+(pk_live_\S+)/.exec(created.stdout)?.[1]);
    const failing = await startReceiver(() => ({ status: 500 }));
    try {
      await createEndpoint(stack.baseUrl, apiKey, { url: failing.url });
      const res = await restClient(stack.baseUrl, apiKey)("POST", "/api/v1/messages", {
        event_type: "x",
        payload: 1,
      });
      await eventually(async () => {
        const got = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${res.body.id}`);
        return got.body.status === "failed" ? true : undefined;
      }, 20_000);
      failing.respondWith(() => ({ status: 200 }));
      const replayed = await piperelay("replay", "--since", "1h", "--status", "failed");
      expect(replayed.stdout).toMatch(/re-queued 1 deliveries/);
      await eventually(async () => {
        const got = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${res.body.id}`);
        return got.body.status === "delivered" ? true : undefined;
      }, 20_000);
    } finally {
      await failing.close();
    }
  });

  it("refuses a bad configuration value, naming the key, with exit code 1", async () => {
    const bad = await run(process.execPath, [cli, "serve"], {
      env: { ...env, PIPERELAY_WORKERS: "lots" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toMatch(/delivery\.workers.*PIPERELAY_WORKERS/);
  });
});
