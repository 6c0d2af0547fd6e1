import { randomBytes } from "node:crypto";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { startTelemetry, type Telemetry } from "@piperelay/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

// The whole stack in this process, its spans kept in memory. A failed first attempt is
// retried a second later (a NAK); a second failure waits 4 s, longer than the NAK limit,
// so that retry is parked in PostgreSQL and republished by the outbox relay.
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let stack: TestStack;
const receivers: Receiver[] = [];

beforeAll(async () => {
  telemetry = await startTelemetry({ serviceName: "piperelay-test", exporter });
  stack = await startStack({ PIPERELAY_RETRY_SCHEDULE: "1s,4s", PIPERELAY_QUEUE_NAK_MAX_DELAY: "3s" });
});
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  await stack?.stop();
  await telemetry?.shutdown();
});

async function receiver(responder?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(responder);
  receivers.push(started);
  return started;
}

/** A caller's W3C trace context, as an app that traces would send it. */
function callerContext() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const finished = () => exporter.getFinishedSpans();
const inTrace = (traceId: string) => finished().filter((s) => s.spanContext().traceId === traceId);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

function only(spans: ReadableSpan[], what: string, match: (span: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(match);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${what}, found ${found.length} among ${spans.map((s) => s.name).join(", ")}`,
    );
  }
  return found[0]!;
}

/**
 * The spans of one attempt at `deliveryId` in a trace `inThisTrace` accepts,
 * once its job's CONSUMER span has ended (after its children).
 */
async function attempt(deliveryId: string, inThisTrace: (traceId: string) => boolean) {
  const isJob = (s: ReadableSpan) =>
    s.kind === SpanKind.CONSUMER &&
    s.attributes["piperelay.delivery_id"] === deliveryId &&
    inThisTrace(s.spanContext().traceId);
  await eventually(() => finished().find(isJob), 15_000, `the job span of ${deliveryId}`);
  const spans = finished();
  const job = only(spans, "job span", isJob);
  const request = only(
    spans,
    "webhook request span",
    (s) =>
      s.kind === SpanKind.CLIENT &&
      parentOf(s) === idOf(job) &&
      s.attributes["http.request.method"] === "POST",
  );
  const record = only(spans, "record span", (s) => s.name === "record attempt" && parentOf(s) === idOf(job));
  return { job, request, record };
}

describe("tracing", () => {
  it("follows one message from the caller's traceparent through ingest, JetStream and the webhook in one trace", async () => {
    const target = await receiver();
    const app = await createApp(stack.baseUrl);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, {
      url: `${target.url}?token=s3cret`,
      event_types: ["order.paid"],
    });
    const caller = callerContext();
    const sent = await sendMessage(
      stack.baseUrl,
      app.apiKey,
      { event_type: "order.paid", payload: { order: 1 } },
      { traceparent: caller.traceparent },
    );
    const [webhook] = await target.waitFor(1);
    const spans = inTrace(caller.traceId);

    // The RPC continues the caller's trace, whatever protocol carried it (REST here).
    const rpc = only(spans, "RPC span", (s) => s.kind === SpanKind.SERVER);
    expect(rpc.name).toBe("piperelay.v1.MessageService/SendMessage");
    expect(rpc.parentSpanContext).toMatchObject({ spanId: caller.spanId, isRemote: true });
    expect(rpc.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.method": "piperelay.v1.MessageService/SendMessage",
      "piperelay.application_id": app.id,
      "piperelay.message_id": sent.id,
      "piperelay.event_type": "order.paid",
      "piperelay.endpoints_targeted": 1,
    });

    const store = only(spans, "database write span", (s) => s.name === "store message");
    expect(parentOf(store)).toBe(idOf(rpc));
    expect(store.kind).toBe(SpanKind.CLIENT);
    expect(store.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "piperelay.message_id": sent.id,
    });

    const publish = only(spans, "publish span", (s) => s.kind === SpanKind.PRODUCER);
    expect(parentOf(publish)).toBe(idOf(rpc));
    const deliveryId = String(publish.attributes["piperelay.delivery_id"]);
    expect(deliveryId).toMatch(/^dlv_/);
    expect(publish.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "send",
      "messaging.message.id": `${deliveryId}:1`,
      "piperelay.application_id": app.id,
      "piperelay.endpoint_id": endpoint.id,
      "piperelay.message_id": sent.id,
      "piperelay.event_type": "order.paid",
    });

    // Across the NATS hop: the dispatcher's span for the job is the publish span's child.
    const { job, request, record } = await attempt(deliveryId, (traceId) => traceId === caller.traceId);
    expect(parentOf(job)).toBe(idOf(publish));
    expect(job.parentSpanContext?.isRemote).toBe(true);
    expect(job.links).toEqual([]);
    expect(job.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "piperelay.application_id": app.id,
      "piperelay.endpoint_id": endpoint.id,
      "piperelay.delivery_id": deliveryId,
      "piperelay.message_id": sent.id,
      "piperelay.event_type": "order.paid",
      "piperelay.attempt_number": 1,
      "piperelay.delivery_status": "success",
      "piperelay.job.delivery_count": 1,
      "piperelay.job.decision": "ack",
      "http.response.status_code": 200,
    });

    // The webhook's request, from undici's instrumentation, with the endpoint's secret kept out.
    expect(request.attributes["http.response.status_code"]).toBe(200);
    expect(request.attributes["url.full"]).toBe(`${target.url}?token=REDACTED`);
    expect(webhook?.headers.traceparent).toBe(`00-${caller.traceId}-${idOf(request)}-01`);

    expect(record.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "piperelay.delivery_id": deliveryId,
      "piperelay.message_id": sent.id,
      "piperelay.attempt_number": 1,
      "piperelay.delivery_status": "success",
      "http.response.status_code": 200,
    });
  });

  it("traces a retry in a new trace that links back to the first attempt's", async () => {
    const flaky = await receiver((_, index) =>
      index === 0 ? { status: 500, body: "boom" } : { status: 200 },
    );
    const app = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, app.apiKey, { url: flaky.url });
    const caller = callerContext();
    const sent = await sendMessage(
      stack.baseUrl,
      app.apiKey,
      { event_type: "order.paid", payload: { order: 2 } },
      { traceparent: caller.traceparent },
    );
    await flaky.waitFor(2, 20_000);

    const publish = only(inTrace(caller.traceId), "publish span", (s) => s.kind === SpanKind.PRODUCER);
    const deliveryId = String(publish.attributes["piperelay.delivery_id"]);
    const first = await attempt(deliveryId, (traceId) => traceId === caller.traceId);
    expect(parentOf(first.job)).toBe(idOf(publish));
    expect(first.job.attributes).toMatchObject({
      "piperelay.attempt_number": 1,
      "piperelay.delivery_status": "retrying",
      "http.response.status_code": 500,
      "piperelay.job.decision": "nak",
    });

    // The second attempt came back as a NAK redelivery a second later: a trace of its own.
    const second = await attempt(deliveryId, (traceId) => traceId !== caller.traceId);
    expect(second.job.parentSpanContext).toBeUndefined();
    expect(second.job.links).toHaveLength(1);
    expect(second.job.links[0]?.context).toMatchObject({ traceId: caller.traceId, spanId: idOf(publish) });
    expect(second.job.links[0]?.attributes).toEqual({ "piperelay.link.reason": "redelivery" });
    expect(second.job.attributes).toMatchObject({
      "piperelay.message_id": sent.id,
      "piperelay.attempt_number": 2,
      "piperelay.delivery_status": "success",
      "piperelay.job.delivery_count": 2,
      "http.response.status_code": 200,
    });
    expect(second.record.attributes).toMatchObject({ "piperelay.attempt_number": 2 });
    expect(second.request.attributes["http.response.status_code"]).toBe(200);
    // Nothing of the retry landed in the caller's trace.
    expect(inTrace(caller.traceId).filter((s) => s.kind === SpanKind.CONSUMER)).toHaveLength(1);
  });

  it("links a retry republished from PostgreSQL hours later back to the request that sent the message", async () => {
    const flaky = await receiver((_, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    const app = await createApp(stack.baseUrl);
    await createEndpoint(stack.baseUrl, app.apiKey, { url: flaky.url });
    const caller = callerContext();
    await sendMessage(
      stack.baseUrl,
      app.apiKey,
      { event_type: "order.paid", payload: { order: 3 } },
      { traceparent: caller.traceparent },
    );
    await flaky.waitFor(3, 30_000);
    const server = only(inTrace(caller.traceId), "RPC span", (s) => s.kind === SpanKind.SERVER);
    const deliveryId = String(
      only(inTrace(caller.traceId), "publish span", (s) => s.kind === SpanKind.PRODUCER).attributes[
        "piperelay.delivery_id"
      ],
    );
    // The relay's publish of the third attempt starts a trace of its own, linked to the original request.
    const republish = await eventually(() =>
      finished().find(
        (s) =>
          s.kind === SpanKind.PRODUCER &&
          s.attributes["piperelay.delivery_id"] === deliveryId &&
          s.attributes["piperelay.attempt_number"] === 3,
      ),
    );
    expect(republish.spanContext().traceId).not.toBe(caller.traceId);
    expect(republish.parentSpanContext).toBeUndefined();
    expect(republish.links).toHaveLength(1);
    expect(republish.links[0]?.context).toMatchObject({ traceId: caller.traceId, spanId: idOf(server) });
    expect(republish.links[0]?.attributes).toEqual({ "piperelay.link.reason": "republished" });
    const third = await attempt(deliveryId, (traceId) => traceId === republish.spanContext().traceId);
    expect(parentOf(third.job)).toBe(idOf(republish));
    expect(third.job.attributes).toMatchObject({
      "piperelay.attempt_number": 3,
      "http.response.status_code": 200,
    });
  }, 60_000);
});
