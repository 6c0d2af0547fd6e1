import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adminComponent } from "@piperelay/admin";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type ServiceProcess, spawnService, waitForOutput } from "../support/processes.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

// Ingest and admin run in this process; dispatchers are OS processes that join and
// leave while messages keep arriving, as when a deployment scales out and in.
const messageCount = 120;
const joinAt = 40;
const leaveAt = 80;

let stack: TestStack;
let receiver: Server;
let receiverUrl = "";
/** Requests per message id (X-PipeRelay-ID), as the receiver saw them. */
const received = new Map<string, number>();
const dispatchers: ServiceProcess[] = [];

/** Each dispatcher's debug log has a "job processed" line per job it finished. */
function jobsProcessed(proc: ServiceProcess): number {
  return proc
    .output()
    .split("\n")
    .filter((line) => line.includes('"msg":"job processed"')).length;
}

beforeAll(async () => {
  stack = await startStack({}, [ingestComponent, adminComponent]);
  // A receiver that takes a moment per request, so that attempts are in flight when a dispatcher leaves.
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["x-piperelay-id"]);
      received.set(id, (received.get(id) ?? 0) + 1);
      setTimeout(() => res.writeHead(200).end("ok"), 80);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  for (const d of dispatchers) await d.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await stack?.stop();
});

function startDispatcher(): ServiceProcess {
  const proc = spawnService("dispatcher", {
    ...stackEnv(stack.database, stack.config.queue.prefix),
    PIPERELAY_WORKERS: "4",
    PIPERELAY_LOG_LEVEL: "debug",
  });
  dispatchers.push(proc);
  return proc;
}

describe("scaling dispatchers out and in under a steady stream of messages", () => {
  it("delivers every message exactly once with one attempt each, and the leaving dispatcher exits 0", async () => {
    const [first, second] = [startDispatcher(), startDispatcher()];
    await Promise.all([
      waitForOutput(first, "dispatcher started"),
      waitForOutput(second, "dispatcher started"),
    ]);

    const app = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, app.apiKey, { url: receiverUrl });

    const sent: string[] = [];
    let third: ServiceProcess | undefined;
    let joined: Promise<void> | undefined;
    let left: Promise<number | null> | undefined;
    let processedByLeaver = 0;
    for (let i = 0; i < messageCount; i++) {
      if (i === joinAt) {
        third = startDispatcher();
        joined = waitForOutput(third, "dispatcher started");
      }
      if (i === leaveAt) {
        await joined;
        processedByLeaver = jobsProcessed(first);
        left = first.stop("SIGTERM");
      }
      const message = await sendMessage(stack.baseUrl, app.apiKey, { event_type: "tick", payload: { i } });
      sent.push(String(message.id));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    expect(await left).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    await eventually(
      () => (sent.every((id) => received.has(id)) ? true : undefined),
      60_000,
      `all ${messageCount} messages to arrive (got ${received.size})`,
    );
    // Anything sent twice would show up within a moment.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(received.size).toBe(messageCount);
    expect([...received.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(new Set(received.keys())).toEqual(new Set(sent));

    const { rows } = await stack.process.clients.database.pool.query<{
      status: string;
      n: number;
      attempts: number;
    }>(
      "SELECT status, count(*)::int AS n, sum(attempt_count)::int AS attempts FROM deliveries GROUP BY status",
    );
    expect(rows).toEqual([{ status: "success", n: messageCount, attempts: messageCount }]);
    const attempts = await stack.process.clients.database.pool.query<{
      n: number;
      distinct_deliveries: number;
    }>("SELECT count(*)::int AS n, count(DISTINCT delivery_id)::int AS distinct_deliveries FROM attempts");
    expect(attempts.rows[0]).toEqual({ n: messageCount, distinct_deliveries: messageCount });

    // Every dispatcher did part of the work: the first before it left, the third after it joined.
    expect(processedByLeaver).toBeGreaterThan(0);
    expect(jobsProcessed(second)).toBeGreaterThan(0);
    expect(jobsProcessed(third as ServiceProcess)).toBeGreaterThan(0);
  });
});
