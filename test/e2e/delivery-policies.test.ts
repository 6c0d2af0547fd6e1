import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { adminComponent } from "@piperelay/admin";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import type { RunningProcess } from "@piperelay/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// Ingest and admin accept loopback URLs (so endpoints can be registered), while the
// dispatcher runs with the production default: internal targets blocked.
let stack: TestStack;
let strictDispatcher: RunningProcess;
let receiver: Receiver;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack({}, [ingestComponent, adminComponent]);
  strictDispatcher = await stack.startAnother([dispatcherComponent], {
    PIPERELAY_ALLOW_PRIVATE_TARGETS: "false",
  });
  receiver = await startReceiver();
  ({ apiKey } = await createApp(stack.baseUrl));
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

async function finalMessage(id: string) {
  return eventually(async () => {
    const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${id}`);
    return res.body.status !== "pending" ? res.body : undefined;
  }, 20_000);
}

describe("server-side request forgery protection", () => {
  it("refuses internal URLs at endpoint creation when private targets are not allowed", async () => {
    const strict = await startStack({ PIPERELAY_ALLOW_PRIVATE_TARGETS: "false" }, [adminComponent]);
    try {
      const app = await createApp(strict.baseUrl);
      for (const url of [
        "http://127.0.0.1:8080/x",
        "http://2130706433/x",
        "http://localhost/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest",
      ]) {
        const res = await restClient(strict.baseUrl, app.apiKey)("POST", "/api/v1/endpoints", { url });
        expect(res.status, url).toBe(400);
        expect(String(res.body.message)).toMatch(/url/);
      }
    } finally {
      await strict.stop();
    }
  });

  it("blocks a delivery to a loopback address at send time, with the reason in the attempt", async () => {
    const endpoint = await createEndpoint(stack.baseUrl, apiKey, {
      url: receiver.url,
      event_types: ["ssrf.literal"],
    });
    const sent = await sendMessage(stack.baseUrl, apiKey, { event_type: "ssrf.literal", payload: {} });
    const message = await finalMessage(String(sent.id));
    expect(message.status).toBe("failed");
    const attempts = (message.deliveries as { attempts: Record<string, unknown>[] }[])[0]!.attempts;
    expect(attempts).toHaveLength(1);
    expect(String(attempts[0]!.error)).toMatch(/^blocked: url 127\.0\.0\.1 is a loopback address/);
    expect(receiver.requests).toHaveLength(0);
    await restClient(stack.baseUrl, apiKey)("DELETE", `/api/v1/endpoints/${endpoint.id}`);
  });

  it("blocks a host name that resolves to an internal address when connecting", async () => {
    const name = hostname();
    const { address } = await lookup(name);
    // Precondition: this machine's own name resolves to one of its internal addresses.
    expect(address).toMatch(/^(127\.|10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|::1|fe80|fd)/);
    const port = new URL(receiver.url).port;
    const endpoint = await createEndpoint(stack.baseUrl, apiKey, {
      url: `http://${name}:${port}/webhook`,
      event_types: ["ssrf.dns"],
    });
    const sent = await sendMessage(stack.baseUrl, apiKey, { event_type: "ssrf.dns", payload: {} });
    const message = await eventually(async () => {
      const res = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/messages/${sent.id}`);
      const attempts = (res.body.deliveries as { attempts: unknown[] }[] | undefined)?.[0]?.attempts ?? [];
      return attempts.length > 0 ? res.body : undefined;
    });
    const attempts = (message.deliveries as { attempts: Record<string, unknown>[] }[])[0]!.attempts;
    expect(String(attempts[0]!.error)).toMatch(/EBLOCKEDTARGET|resolves to/);
    expect(receiver.requests).toHaveLength(0);
    await restClient(stack.baseUrl, apiKey)("DELETE", `/api/v1/endpoints/${endpoint.id}`);
  });
});

describe("receiver signals", () => {
  let permissive: RunningProcess;
  beforeAll(async () => {
    await strictDispatcher.stop();
    permissive = await stack.startAnother([dispatcherComponent]);
  });
  afterAll(async () => permissive?.stop());

  it("waits as long as a 429's Retry-After asks before the next attempt", async () => {
    const limited = await startReceiver((_, i) =>
      i === 0 ? { status: 429, body: "slow down", retryAfter: "3" } : { status: 200 },
    );
    try {
      await createEndpoint(stack.baseUrl, apiKey, { url: limited.url, event_types: ["ratelimited"] });
      const sent = await sendMessage(stack.baseUrl, apiKey, { event_type: "ratelimited", payload: {} });
      const [first, second] = await limited.waitFor(2, 20_000);
      // The schedule says 1 s; the receiver asked for 3 s.
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(2900);
      expect((await finalMessage(String(sent.id))).status).toBe("delivered");
    } finally {
      await limited.close();
    }
  });

  it("stops on 410 Gone and disables the endpoint", async () => {
    const gone = await startReceiver(() => ({ status: 410 }));
    try {
      const endpoint = await createEndpoint(stack.baseUrl, apiKey, { url: gone.url, event_types: ["gone"] });
      const sent = await sendMessage(stack.baseUrl, apiKey, { event_type: "gone", payload: {} });
      const message = await finalMessage(String(sent.id));
      expect(message.status).toBe("failed");
      expect(gone.requests).toHaveLength(1);
      const after = await restClient(stack.baseUrl, apiKey)("GET", `/api/v1/endpoints/${endpoint.id}`);
      expect(after.body.is_active).toBe(false);
    } finally {
      await gone.close();
    }
  });
});
