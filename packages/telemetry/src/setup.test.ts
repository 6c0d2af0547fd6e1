import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shutdownTelemetry, startTelemetry, tracingConfigured } from "./setup.js";

describe("tracingConfigured", () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: "piperelay" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://localhost:4318/v1/traces" }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: " " }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318", OTEL_SDK_DISABLED: "true" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318", OTEL_TRACES_EXPORTER: "none" }, false],
    [{ OTEL_TRACES_EXPORTER: "console" }, true],
    [{ OTEL_TRACES_EXPORTER: "otlp" }, true],
  ])("answers %j with %s", (env, expected) => {
    expect(tracingConfigured(env)).toBe(expected);
  });
});

describe("startTelemetry", () => {
  afterEach(async () => {
    await shutdownTelemetry();
    vi.unstubAllEnvs();
  });

  it("stays off without an OTLP endpoint: nothing registered, spans not recorded, nothing exported", async () => {
    const telemetry = await startTelemetry({ serviceName: "piperelay-test", env: {} });
    expect(telemetry.enabled).toBe(false);

    const span = trace.getTracer("test").startSpan("work");
    expect(span.isRecording()).toBe(false);
    expect(isSpanContextValid(span.spanContext())).toBe(false);
    span.end();
    await telemetry.shutdown();
    // Not even loaded: no exporter exists to send anything.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((path) => path.includes("@opentelemetry/sdk-node"))).toEqual([]);
    expect(loaded.filter((path) => path.includes("@opentelemetry/exporter-trace-otlp"))).toEqual([]);
  });

  it("exports spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, named by OTEL_SERVICE_NAME", async () => {
    const received: { path: string; type: string; body: Buffer }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({
          path: req.url ?? "",
          type: String(req.headers["content-type"]),
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${port}`);
      vi.stubEnv("OTEL_SERVICE_NAME", "piperelay-from-env");
      const telemetry = await startTelemetry({ serviceName: "piperelay-test" });
      expect(telemetry.enabled).toBe(true);

      const span = trace.getTracer("test").startSpan("exported work");
      expect(span.isRecording()).toBe(true);
      span.end();
      await telemetry.shutdown();

      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ path: "/v1/traces", type: "application/x-protobuf" });
      const body = received[0]!.body.toString("latin1");
      expect(body).toContain("exported work");
      expect(body).toContain("piperelay-from-env");
      // Shut down means back to the no-op API.
      expect(trace.getTracer("test").startSpan("after").isRecording()).toBe(false);
    } finally {
      collector.closeAllConnections();
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
