import { createServer } from "node:http";
import { adminComponent } from "@piperelay/admin";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type ServiceProcess, spawnService, waitForOutput } from "../support/processes.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

// Ingest and admin run in this process; the two dispatchers are separate OS processes.
let stack: TestStack;
let receiver: Receiver;
const dispatchers: ServiceProcess[] = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  stack = await startStack({}, [ingestComponent, adminComponent]);
  receiver = await startReceiver();
  const env = {
    ...stackEnv(stack.database, stack.config.queue.prefix),
    PIPERELAY_WORKERS: "2",
    PIPERELAY_LOG_LEVEL: "info",
  };
  for (let i = 0; i < 2; i++) {
    const proc = spawnService("dispatcher", env);
    dispatchers.push(proc);
    await waitForOutput(proc, "dispatcher started");
  }
});
afterAll(async () => {
  for (const d of dispatchers) await d.stop();
  await receiver?.close();
  await stack?.stop();
});

describe("two dispatcher processes", () => {
  it("share the work and send each delivery exactly once", async () => {
    // A slow receiver: one dispatcher with 2 workers can have at most 2 requests open at a time.
    const server = createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight--;
        res.end("ok");
        receiver.requests.push({
          method: "POST",
          path: req.url ?? "",
          headers: req.headers,
          body: "",
          at: Date.now(),
        });
      }, 150);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const app = await createApp(stack.baseUrl);
      await createEndpoint(stack.baseUrl, app.apiKey, { url: `http://127.0.0.1:${port}/hook` });
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) {
        ids.add(
          String((await sendMessage(stack.baseUrl, app.apiKey, { event_type: "x", payload: { i } })).id),
        );
      }
      await eventually(() => (receiver.requests.length >= 40 ? true : undefined), 30_000, "40 deliveries");
      // Give any duplicate time to show up.
      await new Promise((r) => setTimeout(r, 1000));
      const seen = receiver.requests.map((r) => String(r.headers["x-piperelay-id"]));
      expect(seen).toHaveLength(40);
      expect(new Set(seen)).toEqual(ids);
      expect(maxInFlight).toBeGreaterThan(2);
      const { rows } = await stack.process.clients.database.pool.query(
        "SELECT status, count(*)::int AS n, sum(attempt_count)::int AS attempts FROM deliveries GROUP BY status",
      );
      expect(rows).toEqual([{ status: "success", n: 40, attempts: 40 }]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("stops gracefully on SIGTERM with exit code 0", async () => {
    const last = dispatchers.pop();
    expect(await last?.stop("SIGTERM")).toBe(0);
  });
});
