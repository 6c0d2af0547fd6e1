import { Writable } from "node:stream";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { scrapeMetrics } from "../support/metrics.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

let stack: TestStack;
let ok: Receiver;
let failing: Receiver;
let gone: Receiver;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  ok = await startReceiver();
  failing = await startReceiver(() => ({ status: 500 }));
  gone = await startReceiver(() => ({ status: 410 }));
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n"))
        if (line.trim() !== "") logLines.push(JSON.parse(line));
      done();
    },
  });
  stack = await startStack({ PIPERELAY_LOG_LEVEL: "info" }, undefined, { logDestination });
});
afterAll(async () => {
  await stack?.stop();
  for (const receiver of [ok, failing, gone]) await receiver?.close();
});

const scrape = (baseUrl = stack.baseUrl) => scrapeMetrics(baseUrl);
const sample = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

/** An application with one endpoint at `url`. */
async function appWithEndpoint(url: string) {
  const app = await createApp(stack.baseUrl);
  const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url });
  return { apiKey: app.apiKey, endpointId: String(endpoint.id) };
}

describe("Prometheus metrics", () => {
  it("count accepted messages, deliveries by outcome, attempt latency, disabled endpoints and open circuits", async () => {
    const succeeding = await appWithEndpoint(ok.url);
    const broken = await appWithEndpoint(failing.url);
    const removed = await appWithEndpoint(gone.url);
    const before = await scrape();

    for (let i = 0; i < 3; i++)
      await sendMessage(stack.baseUrl, succeeding.apiKey, { event_type: "ok", payload: {} });
    // Five failures in a row open the endpoint's circuit (services/dispatcher/src/endpoint-gate.ts).
    for (let i = 0; i < 5; i++)
      await sendMessage(stack.baseUrl, broken.apiKey, { event_type: "bad", payload: {} });
    await sendMessage(stack.baseUrl, removed.apiKey, { event_type: "gone", payload: {} });
    await Promise.all([ok.waitFor(3), failing.waitFor(5), gone.waitFor(1)]);

    const delta = (after: Map<string, number>, key: string) => sample(after, key) - sample(before, key);
    // An attempt is counted when recorded; the endpoint is disabled and the circuit opens a moment later.
    const after = await eventually(async () => {
      const now = await scrape();
      const settled =
        delta(now, "piperelay_attempt_duration_seconds_count") >= 9 &&
        delta(now, 'piperelay_endpoints_disabled_total{reason="gone"}') >= 1 &&
        sample(now, "piperelay_open_circuits") >= 1;
      return settled ? now : undefined;
    });
    expect(delta(after, "piperelay_messages_accepted_total")).toBe(9);
    expect(delta(after, 'piperelay_deliveries_total{outcome="success"}')).toBe(3);
    expect(delta(after, 'piperelay_deliveries_total{outcome="retrying"}')).toBe(5);
    expect(delta(after, 'piperelay_deliveries_total{outcome="failed"}')).toBe(1);
    expect(delta(after, "piperelay_attempt_duration_seconds_count")).toBe(9);
    expect(delta(after, "piperelay_attempt_duration_seconds_sum")).toBeGreaterThan(0);
    expect(delta(after, 'piperelay_attempt_duration_seconds_bucket{le="+Inf"}')).toBe(9);
    expect(delta(after, 'piperelay_endpoints_disabled_total{reason="gone"}')).toBe(1);
    expect(delta(after, 'piperelay_endpoints_disabled_total{reason="auto"}')).toBe(0);
    expect(sample(after, "piperelay_open_circuits")).toBeGreaterThanOrEqual(1);
    expect(after.get("piperelay_queue_lag_seconds")).toBeGreaterThanOrEqual(0);
    // Read from the database at scrape time; what they count is tested in parked-backlog.test.ts.
    expect(after.get("piperelay_parked_endpoints")).toBeGreaterThanOrEqual(0);
    expect(after.get("piperelay_parked_deliveries")).toBeGreaterThanOrEqual(0);
    // prom-client's default process metrics come with every registry.
    expect(after.has("process_cpu_user_seconds_total")).toBe(true);
    expect(after.has("nodejs_eventloop_lag_seconds")).toBe(true);
    // No per-message or per-endpoint series.
    for (const key of after.keys()) expect(key).not.toMatch(/msg_|ep_|dlv_/);
  });

  it("are served by a dispatcher on its own too, and not at all when metrics.enabled is false", async () => {
    const dispatcher = await stack.startAnother([dispatcherComponent]);
    const dispatcherMetrics = await scrape(`http://127.0.0.1:${dispatcher.port}`);
    expect(dispatcherMetrics.has('piperelay_deliveries_total{outcome="success"}')).toBe(true);
    expect(dispatcherMetrics.has("piperelay_messages_accepted_total")).toBe(false);

    const ingest = await stack.startAnother([ingestComponent], { PIPERELAY_METRICS_ENABLED: "false" });
    const response = await fetch(`http://127.0.0.1:${ingest.port}/metrics`);
    expect(response.status).toBe(404);
  });
});

describe("structured logs", () => {
  it("carry the request id of X-Request-Id on request lines and echo it back", async () => {
    const { apiKey } = await appWithEndpoint(ok.url);
    const sent = await restClient(stack.baseUrl, apiKey)(
      "POST",
      "/api/v1/messages",
      { event_type: "logged", payload: {} },
      { "x-request-id": "obs-request-1" },
    );
    expect(sent.status).toBe(200);
    expect(sent.headers.get("x-request-id")).toBe("obs-request-1");
    const accepted = await eventually(() =>
      logLines.find((line) => line.msg === "message accepted" && line.message_id === sent.body.id),
    );
    expect(accepted.request_id).toBe("obs-request-1");
    const finished = await eventually(() =>
      logLines.find((line) => line.msg === "request finished" && line.request_id === "obs-request-1"),
    );
    expect(finished).toMatchObject({ method: "POST", path: "/api/v1/messages", status_code: 200 });

    // Without one, the server makes one up and still echoes it.
    const listed = await restClient(stack.baseUrl, apiKey)("GET", "/api/v1/endpoints");
    const generated = listed.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() =>
      logLines.find(
        (line) =>
          line.msg === "request finished" &&
          line.request_id === generated &&
          line.path === "/api/v1/endpoints",
      ),
    );
  });

  it("carry message_id, delivery_id and endpoint_id on each delivery's lines", async () => {
    const succeeding = await appWithEndpoint(ok.url);
    const gonePlace = await appWithEndpoint(gone.url);
    const delivered = await sendMessage(stack.baseUrl, succeeding.apiKey, { event_type: "a", payload: {} });
    const refused = await sendMessage(stack.baseUrl, gonePlace.apiKey, { event_type: "b", payload: {} });

    const success = await eventually(() =>
      logLines.find((line) => line.msg === "delivery attempt succeeded" && line.message_id === delivered.id),
    );
    expect(success).toMatchObject({
      endpoint_id: succeeding.endpointId,
      delivery_id: expect.stringMatching(/^dlv_/),
      attempt_number: 1,
      delivery_status: "success",
      status_code: 200,
    });
    const failure = await eventually(() =>
      logLines.find((line) => line.msg === "delivery attempt failed" && line.message_id === refused.id),
    );
    expect(failure).toMatchObject({
      endpoint_id: gonePlace.endpointId,
      delivery_id: expect.stringMatching(/^dlv_/),
      delivery_status: "failed",
      status_code: 410,
    });
    const disabled = await eventually(() =>
      logLines.find((line) => line.msg === "endpoint disabled" && line.endpoint_id === gonePlace.endpointId),
    );
    expect(disabled.kind).toBe("gone");
  });
});
