import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { MessagingAttributes, messagingSystem, PipeRelayAttributes } from "./attributes.js";

/**
 * Message headers as NATS has them (`MsgHdrs` of `@nats-io/transport-node`
 * fits): `get` answers "" for a missing header.
 */
export interface MessageHeaders {
  get(name: string): string;
  set(name: string, value: string): void;
  keys(): string[];
}

const headerSetter: TextMapSetter<MessageHeaders> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
const headerGetter: TextMapGetter<MessageHeaders> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: (carrier) => carrier.keys(),
};

/**
 * Ids a message carries for tracing beside its trace context, so that its
 * consumer's spans name them without a database read. Nothing relies on them
 * but traces.
 */
export interface TracedIds {
  messageId?: string;
  eventType?: string;
}

const idHeaders = { messageId: "PipeRelay-Message-Id", eventType: "PipeRelay-Event-Type" } as const;

/**
 * Writes the context's trace (W3C `traceparent`/`tracestate`, as the
 * configured propagators say) and the given ids into `headers`.
 */
export function injectTraceContext(
  headers: MessageHeaders,
  from: Context = context.active(),
  ids: TracedIds = {},
): void {
  propagation.inject(from, headers, headerSetter);
  if (ids.messageId) headers.set(idHeaders.messageId, ids.messageId);
  if (ids.eventType) headers.set(idHeaders.eventType, ids.eventType);
}

/** The trace context a message's headers carry; the root context when they carry none. */
export function extractTraceContext(headers: MessageHeaders | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

/** The ids {@link injectTraceContext} wrote, as span attributes. */
export function tracedIdAttributes(headers: MessageHeaders | undefined): Attributes {
  const messageId = headers?.get(idHeaders.messageId);
  const eventType = headers?.get(idHeaders.eventType);
  return {
    ...(messageId ? { [PipeRelayAttributes.messageId]: messageId } : {}),
    ...(eventType ? { [PipeRelayAttributes.eventType]: eventType } : {}),
  };
}

/** The active span's W3C traceparent, or undefined when nothing is being traced. */
export function currentTraceparent(from: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(from);
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier.traceparent;
}

/** A span link to the trace a stored traceparent names, or undefined when it names none. */
export function linkToTraceparent(traceparent: string | undefined, reason: string): Link | undefined {
  if (!traceparent) return undefined;
  const remote = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  if (!remote || !isSpanContextValid(remote)) return undefined;
  return { context: remote, attributes: { [PipeRelayAttributes.linkReason]: reason } };
}

/** What {@link startProducerSpan} needs to know about one published message. */
export interface ProducerSpanOptions {
  /** Low-cardinality name of the destination, used in the span name (`send <destination>`). */
  destination: string;
  /** The full subject published to. */
  subject: string;
  /** The subject's shape, e.g. `piperelay.deliveries.{application}.{endpoint}`. */
  subjectTemplate: string;
  /** The message's dedupe id (`Nats-Msg-Id`). */
  messageId: string;
  attributes?: Attributes;
  /** Links to related traces, e.g. the original request of a republished retry. */
  links?: Link[];
}

/** Starts the PRODUCER span of one publish, a child of the active span. End it when the broker acknowledged. */
export function startProducerSpan(tracer: Tracer, options: ProducerSpanOptions): Span {
  return tracer.startSpan(`send ${options.destination}`, {
    kind: SpanKind.PRODUCER,
    links: options.links ?? [],
    attributes: {
      [MessagingAttributes.system]: messagingSystem,
      [MessagingAttributes.operationType]: "send",
      [MessagingAttributes.operationName]: "publish",
      [MessagingAttributes.destinationName]: options.subject,
      [MessagingAttributes.destinationTemplate]: options.subjectTemplate,
      [MessagingAttributes.messageId]: options.messageId,
      ...options.attributes,
    },
  });
}

/** What {@link startConsumerSpan} needs to know about one received message. */
export interface ConsumerSpanOptions {
  /** Low-cardinality name of the destination, used in the span name (`process <destination>`). */
  destination: string;
  /** The message's headers, with the publisher's trace context. */
  headers: MessageHeaders | undefined;
  /**
   * Continue the publisher's trace (the span becomes its child) rather than
   * start a new trace with a link to it. Continue only for a message handed
   * out right after it was published: a redelivery hours later under the
   * original parent would stretch one trace over the whole retry schedule.
   */
  continueTrace: boolean;
  /** Why a new trace was started, recorded on the link (e.g. `redelivery`). */
  linkReason?: string;
  attributes?: Attributes;
}

/**
 * Starts the CONSUMER span of processing one message: a child of the
 * publisher's span, or the root of a new trace linked to it (see
 * `continueTrace`). Returns the span and the context to process the message
 * in, so that spans made while processing (the webhook's HTTP request, the
 * database writes) land under it.
 */
export function startConsumerSpan(
  tracer: Tracer,
  options: ConsumerSpanOptions,
): { span: Span; context: Context } {
  const carried = extractTraceContext(options.headers);
  const remote = trace.getSpanContext(carried);
  const hasRemote = remote !== undefined && isSpanContextValid(remote);
  const name = `process ${options.destination}`;
  const attributes: Attributes = {
    [MessagingAttributes.system]: messagingSystem,
    [MessagingAttributes.operationType]: "process",
    [MessagingAttributes.operationName]: "process",
    ...options.attributes,
  };
  // Processing runs in a context holding the span alone: baggage a caller sent with the
  // message stays behind rather than travel on to webhook receivers.
  if (options.continueTrace || !hasRemote) {
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, carried);
    return { span, context: trace.setSpan(ROOT_CONTEXT, span) };
  }
  const link: Link = {
    context: remote,
    attributes: options.linkReason ? { [PipeRelayAttributes.linkReason]: options.linkReason } : {},
  };
  const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes, links: [link], root: true });
  return { span, context: trace.setSpan(ROOT_CONTEXT, span) };
}
