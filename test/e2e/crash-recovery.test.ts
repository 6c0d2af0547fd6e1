import { adminComponent } from "@piperelay/admin";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint } from "../support/fixtures.js";
import { freePort } from "../support/free-port.js";
import { eventually } from "../support/poll.js";
import { type ServiceProcess, spawnService, waitForOutput } from "../support/processes.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

// A short HTTP timeout keeps the claim on an interrupted attempt (timeout + 30 s) bounded.
const crashEnv = { PIPERELAY_DELIVERY_TIMEOUT: "2s", PIPERELAY_LOG_LEVEL: "info" };
const children: ServiceProcess[] = [];
const stacks: TestStack[] = [];
let receiver: Receiver;

beforeAll(async () => {
  // A little slow, so that work is in flight when a process dies.
  receiver = await startReceiver();
});
afterEach(async () => {
  for (const child of children.splice(0)) await child.stop("SIGKILL");
  for (const stack of stacks.splice(0)) await stack.stop();
});
afterAll(async () => receiver?.close());

function spawn(
  name: "ingest" | "dispatcher" | "piperelay",
  stack: TestStack,
  extra: Record<string, string> = {},
) {
  const env = { ...stackEnv(stack.database, stack.config.queue.prefix, { ...crashEnv, ...extra }) };
  const child = spawnService(name, env, name === "piperelay" ? ["serve"] : []);
  children.push(child);
  return child;
}

function idsReceived(): Set<string> {
  return new Set(receiver.requests.map((r) => String(r.headers["x-piperelay-id"])));
}

/**
 * Every accepted message reached the receiver, and its delivery record shows
 * success with exactly one successful attempt, even where a request that was
 * in flight at the crash was sent again.
 */
async function expectAllDeliveredOnce(stack: TestStack, accepted: string[]): Promise<void> {
  const query = () =>
    stack.process.clients.database.pool.query(
      `SELECT d.status, count(*)::int AS n,
              count(*) FILTER (WHERE (SELECT count(*) FROM attempts a
                                       WHERE a.delivery_id = d.id AND a.status_code BETWEEN 200 AND 299) = 1)::int AS one_success
         FROM deliveries d WHERE d.message_id = ANY($1) GROUP BY d.status`,
      [accepted],
    );
  const rows = await eventually(
    async () => {
      const { rows } = await query();
      return rows.length === 1 && rows[0].status === "success" ? rows : undefined;
    },
    90_000,
    `${accepted.length} deliveries to succeed`,
  );
  expect(rows).toEqual([{ status: "success", n: accepted.length, one_success: accepted.length }]);
  expect(accepted.every((id) => idsReceived().has(id))).toBe(true);
}

async function sendMany(baseUrl: string, apiKey: string, count: number, onAccepted?: (n: number) => void) {
  const accepted: string[] = [];
  const call = restClient(baseUrl, apiKey);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        try {
          const res = await call("POST", "/api/v1/messages", { event_type: "crash.test", payload: { i } });
          if (res.status === 200) {
            accepted.push(String(res.body.id));
            onAccepted?.(accepted.length);
          }
        } catch {
          // The server died mid-request: not accepted, so nothing is promised for it.
        }
      }
    }),
  );
  return accepted;
}

describe("kill -9", () => {
  it("of the dispatcher with hundreds of deliveries outstanding loses nothing", async () => {
    const stack = await startStack(crashEnv, [ingestComponent, adminComponent]);
    stacks.push(stack);
    const { apiKey } = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
    const first = spawn("dispatcher", stack, { PIPERELAY_WORKERS: "20" });
    await waitForOutput(first, "dispatcher started");
    const accepted = await sendMany(stack.baseUrl, apiKey, 400);
    expect(accepted).toHaveLength(400);
    await eventually(() => (receiver.requests.length >= 50 ? true : undefined));
    await first.stop("SIGKILL");
    const second = spawn("dispatcher", stack, { PIPERELAY_WORKERS: "20" });
    await waitForOutput(second, "dispatcher started");
    await expectAllDeliveredOnce(stack, accepted);
  }, 120_000);

  it("of ingest while messages are being sent loses no accepted message", async () => {
    const stack = await startStack(crashEnv, [dispatcherComponent, adminComponent]);
    stacks.push(stack);
    const { apiKey } = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
    const port = String(await freePort());
    const ingest = spawn("ingest", stack, { PIPERELAY_PORT: port });
    await waitForOutput(ingest, "API listening");
    const accepted = await sendMany(`http://127.0.0.1:${port}`, apiKey, 300, (n) => {
      if (n === 150) void ingest.stop("SIGKILL");
    });
    expect(accepted.length).toBeGreaterThanOrEqual(150);
    expect(accepted.length).toBeLessThan(300);
    await expectAllDeliveredOnce(stack, accepted);
  }, 120_000);

  it("of the whole stack loses nothing that was accepted", async () => {
    // The test process holds only the database and the NATS prefix; PipeRelay runs as one child process.
    const stack = await startStack(crashEnv, [adminComponent]);
    stacks.push(stack);
    const { apiKey } = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
    const port = String(await freePort());
    const whole = spawn("piperelay", stack, { PIPERELAY_PORT: port });
    await waitForOutput(whole, "dispatcher started");
    const accepted = await sendMany(`http://127.0.0.1:${port}`, apiKey, 300, (n) => {
      if (n === 200) void whole.stop("SIGKILL");
    });
    expect(accepted.length).toBeGreaterThanOrEqual(200);
    const again = spawn("piperelay", stack, { PIPERELAY_PORT: port });
    await waitForOutput(again, "dispatcher started");
    await expectAllDeliveredOnce(stack, accepted);
  }, 120_000);
});

describe("SIGTERM", () => {
  it("finishes in-flight deliveries, exits 0, and causes no duplicates", async () => {
    const stack = await startStack(crashEnv, [ingestComponent, adminComponent]);
    stacks.push(stack);
    const { apiKey } = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, apiKey, { url: receiver.url });
    const before = receiver.requests.length;
    const first = spawn("dispatcher", stack, { PIPERELAY_WORKERS: "20" });
    await waitForOutput(first, "dispatcher started");
    const accepted = await sendMany(stack.baseUrl, apiKey, 300);
    await eventually(() => (receiver.requests.length - before >= 30 ? true : undefined));
    expect(await first.stop("SIGTERM")).toBe(0);
    const second = spawn("dispatcher", stack, { PIPERELAY_WORKERS: "20" });
    await waitForOutput(second, "dispatcher started");
    await expectAllDeliveredOnce(stack, accepted);
    const mine = receiver.requests.slice(before).map((r) => String(r.headers["x-piperelay-id"]));
    expect(mine.length).toBe(new Set(mine).size);
  }, 120_000);
});
