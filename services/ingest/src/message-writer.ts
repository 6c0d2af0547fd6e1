import { newId } from "@piperelay/core";
import { createGroupCommit, type Pool } from "@piperelay/db";
import type { QueuedDelivery } from "@piperelay/queue";
import { FailureError } from "@piperelay/rpc";
import { type EventSubscribers, matchEndpoints } from "./match-endpoints.js";
import { type MessageRecord, type StoredMessages, storeMessages } from "./store-messages.js";
import { createSubscriberCache } from "./subscriber-cache.js";
import type { ValidMessage } from "./validate-message.js";

/** A message to store for an application. */
export interface NewMessage {
  applicationId: string;
  message: ValidMessage;
  /** The traceparent of the request that sent it, kept so later retries can link back. */
  traceContext: string | undefined;
}

/** What became of it: stored with its deliveries, or skipped for an idempotency key used before. */
export type WrittenMessage =
  | {
      stored: true;
      id: string;
      status: string;
      timestamp: Date;
      /** How many endpoints it goes to. */
      endpointsTargeted: number;
      /**
       * The deliveries to publish now: all but those parked with an endpoint's backlog
       * behind an open circuit, which the outbox relay publishes when it closes.
       */
      deliveries: QueuedDelivery[];
    }
  | { stored: false };

/** Stores one request's messages, all or none; returns what became of each, in order. */
export type MessageWriter = (messages: readonly NewMessage[]) => Promise<WrittenMessage[]>;

export interface MessageWriterOptions {
  /** Messages per statement. @defaultValue 500 */
  maxBatch?: number;
}

// Times one request is matched and stored again because its application's endpoints
// changed in between, before giving up.
const maxRounds = 5;

// What a round gives a request whose application's endpoints changed since they were matched.
const matchedTooEarly = Symbol("matched too early");

/**
 * Stores messages with one delivery per subscribed active endpoint. Requests
 * made while earlier ones are being written are stored together: one
 * statement and one commit for the whole group, plus one to match the events
 * whose subscribers are not cached yet. A request's messages always go in
 * the same statement, so they are committed together when its promise
 * resolves; a request whose application's endpoints changed between its
 * match and that statement has nothing stored and joins the next group,
 * matched afresh. Each group is one statement, so a failed group left
 * nothing behind and its requests can be tried again one by one.
 */
export function createMessageWriter(pool: Pool, options: MessageWriterOptions = {}): MessageWriter {
  const cache = createSubscriberCache();
  const writeRound = createGroupCommit<readonly NewMessage[], WrittenMessage[] | typeof matchedTooEarly>({
    maxBatch: options.maxBatch ?? 500,
    weight: (messages) => messages.length,
    // One request with a bad row (say, an endpoint deleted between matching and storing) fails alone.
    isolateFailures: true,
    async run(requests) {
      const batch = requests.flat();
      const subscribers = await subscribersOf(batch);
      const timestamp = new Date();
      const records = batch.map(({ applicationId, message, traceContext }, i): MessageRecord => {
        const { version, endpointIds } = subscribers[i] as EventSubscribers;
        return {
          id: newId("msg"),
          applicationId,
          eventType: message.eventType,
          payload: message.payload,
          status: endpointIds.length === 0 ? "delivered" : "pending",
          idempotencyKey: message.idempotencyKey,
          traceContext,
          timestamp,
          endpointsVersion: version,
          deliveries: endpointIds.map((endpointId) => ({ id: newId("dlv"), endpointId })),
        };
      });
      const result = await storeMessages(pool, records);
      for (const applicationId of result.staleApplications) cache.forget(applicationId);
      let start = 0;
      return requests.map((messages) => {
        start += messages.length;
        const own = records.slice(start - messages.length, start);
        // A request's messages share one application: stale, none of them was stored.
        if (own.some((r) => result.staleApplications.has(r.applicationId))) return matchedTooEarly;
        return own.map((record) => toWritten(record, result));
      });
    },
  });

  /** Each message's subscribers: from the cache, or matched in one statement for those it lacks. */
  async function subscribersOf(messages: readonly NewMessage[]): Promise<EventSubscribers[]> {
    const found = messages.map((m) => cache.get(m.applicationId, m.message.eventType));
    const missing = messages.filter((_, j) => found[j] === undefined);
    if (missing.length === 0) return found as EventSubscribers[];
    const matched = await matchEndpoints(
      pool,
      missing.map((m) => ({ applicationId: m.applicationId, eventType: m.message.eventType })),
    );
    let next = 0;
    return messages.map((m, j) => {
      const cached = found[j];
      if (cached !== undefined) return cached;
      const fresh = matched[next++] as EventSubscribers;
      if (fresh.version !== null)
        cache.put(m.applicationId, m.message.eventType, {
          version: fresh.version,
          endpointIds: fresh.endpointIds,
        });
      return fresh;
    });
  }

  return async (messages) => {
    // Staleness is decided per application: a request of two could be half stored.
    if (new Set(messages.map((m) => m.applicationId)).size > 1)
      throw new Error("a request's messages must belong to one application");
    for (let round = 1; ; round++) {
      const written = await writeRound(messages);
      if (written !== matchedTooEarly) return written;
      if (round === maxRounds)
        throw new FailureError({
          outcome: "aborted",
          reason: `the application's endpoints changed ${maxRounds} times while its messages were stored`,
        });
    }
  };
}

function toWritten(record: MessageRecord, result: StoredMessages): WrittenMessage {
  if (!result.stored.has(record.id)) return { stored: false };
  return {
    stored: true,
    id: record.id,
    status: record.status,
    timestamp: record.timestamp,
    endpointsTargeted: record.deliveries.length,
    deliveries: record.deliveries
      .filter((d) => !result.parked.has(d.id))
      .map((d) => ({
        deliveryId: d.id,
        applicationId: record.applicationId,
        endpointId: d.endpointId,
        attempt: 1,
        messageId: record.id,
        eventType: record.eventType,
      })),
  };
}
