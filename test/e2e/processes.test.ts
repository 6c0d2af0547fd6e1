import { Agent, type ClientRequest, request } from "node:http";
import { adminComponent } from "@piperelay/admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, messageCount } from "../support/fixtures.js";
import { freePort } from "../support/free-port.js";
import { eventually } from "../support/poll.js";
import { childPids, type ServiceProcess, spawnService, waitForOutput } from "../support/processes.js";
import { stackEnv, startStack, type TestStack } from "../support/stack.js";

// Ingest as `server.processes: 2`: a primary forking two workers that share the port.
let stack: TestStack;
let apiKey = "";
const running: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startStack({}, [adminComponent]);
  const app = await createApp(stack.baseUrl);
  apiKey = app.apiKey;
  await createEndpoint(stack.baseUrl, apiKey, { url: "http://127.0.0.1:9/hook" });
});
afterAll(async () => {
  for (const proc of running) await proc.stop("SIGKILL");
  await stack?.stop();
});

async function startIngest(options: { waitForWorkers?: boolean } = {}): Promise<{
  proc: ServiceProcess;
  url: string;
}> {
  const port = await freePort();
  const proc = spawnService("ingest", {
    ...stackEnv(stack.database, stack.config.queue.prefix),
    PIPERELAY_PORT: String(port),
    PIPERELAY_PROCESSES: "2",
    PIPERELAY_LOG_LEVEL: "info",
  });
  running.push(proc);
  await waitForOutput(proc, "started the service's processes");
  if (options.waitForWorkers === false) return { proc, url: `http://127.0.0.1:${port}` };
  await eventually(() =>
    logLines(proc).filter((l) => l.msg === "API listening (REST, Connect and gRPC)").length === 2
      ? true
      : undefined,
  );
  return { proc, url: `http://127.0.0.1:${port}` };
}

function logLines(proc: ServiceProcess): Record<string, unknown>[] {
  return proc
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The workers' pids, from their log lines (the primary's lines carry none). */
function workerPids(proc: ServiceProcess): number[] {
  return [...new Set(logLines(proc).flatMap((l) => (typeof l.pid === "number" ? [l.pid] : [])))];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One request on a connection of its own: the primary hands each connection to a worker in turn. */
function call(url: string, method: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("a service run as several processes (server.processes)", () => {
  it("serves one port from every process, counts metrics over all of them, and stops them all on SIGTERM", async () => {
    const { proc, url } = await startIngest();
    const before = await messageCount(stack);
    for (let i = 0; i < 20; i++) {
      const sent = await call(`${url}/api/v1/messages`, "POST", { event_type: "order.paid", payload: { i } });
      expect(sent.status).toBe(200);
    }
    expect(await messageCount(stack)).toBe(before + 20);
    // Both workers answered requests.
    const served = new Set(
      logLines(proc)
        .filter((l) => l.path === "/api/v1/messages" && l.status_code === 200)
        .map((l) => l.pid),
    );
    expect(served.size).toBe(2);
    // Whichever worker a scrape reaches, it reports the whole service.
    for (let i = 0; i < 4; i++) {
      const scraped = await call(`${url}/metrics`, "GET");
      expect(scraped.status).toBe(200);
      expect(scraped.text).toMatch(/^piperelay_messages_accepted_total 20$/m);
    }

    const workers = workerPids(proc);
    expect(workers).toHaveLength(2);
    expect(await proc.stop("SIGTERM")).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
    expect(proc.output()).toContain('"msg":"stopped"');
  });

  it("stops processes that were still starting when SIGTERM came", async () => {
    const { proc } = await startIngest({ waitForWorkers: false });
    const forked = childPids(proc.child.pid ?? 0);
    expect(forked).toHaveLength(2);
    expect(await proc.stop("SIGTERM")).toBe(0);
    expect(forked.filter(alive)).toEqual([]);
  });

  it("stops gracefully when SIGTERM reaches every process after the primary asked them to stop", async () => {
    // systemd's default stop signals the whole group; here the workers hear the primary first.
    const { proc, url } = await startIngest();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const post = (body: string, length = body.length, extra: Record<string, string> = {}) => {
      const req = request(`${url}/api/v1/messages`, {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "content-length": String(length),
          ...extra,
        },
      });
      req.on("error", () => {});
      if (body !== "") req.write(body);
      else req.flushHeaders();
      return req;
    };
    // Two connections, each now a worker's: the primary hands a connection over once.
    const message = JSON.stringify({ event_type: "order.paid", payload: {} });
    await Promise.all(
      [0, 1].map(
        () =>
          new Promise((resolve) =>
            post(message)
              .on("response", (res) => res.resume().on("end", resolve))
              .end(),
          ),
      ),
    );
    // Their log lines say which workers own them (lines reach this process a little later).
    const served = await eventually(() => {
      const lines = logLines(proc).filter((l) => l.path === "/api/v1/messages");
      return lines.length === 2 ? lines : undefined;
    });
    const holding = [...new Set(served.map((l) => l.pid as number))];
    expect(holding.length).toBeGreaterThan(0);
    // A request whose body never comes, on each connection, holds its worker in its stop; its
    // "100 Continue" says the worker has it.
    const held = await Promise.all(
      [0, 1].map(() => {
        const req = post("", 100, { expect: "100-continue" });
        return new Promise<ClientRequest>((resolve) => req.on("continue", () => resolve(req)));
      }),
    );

    proc.child.kill("SIGTERM");
    await eventually(() =>
      logLines(proc).filter((l) => l.signal === "primary").length === 2 ? true : undefined,
    );
    // Still stopping (held), so this is the same shutdown reaching them a second way.
    for (const pid of holding) process.kill(pid, "SIGTERM");
    for (const req of held) req.destroy();
    agent.destroy();
    const code =
      proc.child.exitCode ??
      (await new Promise<number | null>((resolve) => proc.child.once("exit", resolve)));
    expect(code).toBe(0);
    expect(proc.output()).not.toContain("second signal");
    expect(workerPids(proc).filter(alive)).toEqual([]);
  });

  it("stops the other processes and exits 1 when one of them dies", async () => {
    const { proc } = await startIngest();
    const [victim, other] = workerPids(proc) as [number, number];
    process.kill(victim, "SIGKILL");
    const exited =
      proc.child.exitCode ??
      (await new Promise<number | null>((resolve) => proc.child.once("exit", resolve)));
    expect(exited).toBe(1);
    expect(alive(other)).toBe(false);
    expect(proc.output()).toContain("exited on its own; stopping the others");
  });
});
