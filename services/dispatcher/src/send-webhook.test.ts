import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sendWebhook } from "./send-webhook.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe("sendWebhook", () => {
  it("posts the body and headers and reports a 2xx as success", async () => {
    let received = "";
    const url = await serve((req, res) => {
      req.on("data", (c: Buffer) => {
        received += c.toString();
      });
      req.on("end", () => res.writeHead(201).end("created"));
    });
    const result = await sendWebhook({ url, body: '{"a":1}', headers: { "x-test": "1" }, timeoutMs: 5000 });
    expect(result).toMatchObject({ statusCode: 201, responseBody: "created", error: "" });
    expect(received).toBe('{"a":1}');
  });

  it("keeps only the first KiB of a large response", async () => {
    const url = await serve((_req, res) => res.writeHead(500).end("x".repeat(1_000_000)));
    const result = await sendWebhook({ url, body: "{}", headers: {}, timeoutMs: 5000 });
    expect(result.statusCode).toBe(500);
    expect(result.responseBody).toHaveLength(1024);
    expect(result.error).toBe("HTTP 500");
  });

  it("treats a redirect as a failure without following it", async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits++;
      res.writeHead(301, { location: "/elsewhere" }).end();
    });
    const result = await sendWebhook({ url, body: "{}", headers: {}, timeoutMs: 5000 });
    expect(result).toMatchObject({ statusCode: 301, error: "HTTP 301" });
    expect(hits).toBe(1);
  });

  it("gives up after the timeout when the receiver does not answer", async () => {
    const url = await serve(() => {
      // Never answers.
    });
    const started = Date.now();
    const result = await sendWebhook({ url, body: "{}", headers: {}, timeoutMs: 300 });
    expect(result.statusCode).toBe(0);
    expect(result.error).toMatch(/timeout/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reports a refused connection", async () => {
    const result = await sendWebhook({
      url: "http://127.0.0.1:9/",
      body: "{}",
      headers: {},
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ statusCode: 0 });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
