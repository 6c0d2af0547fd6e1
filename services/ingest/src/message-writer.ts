import { newId } from "@piperelay/core";
import { createGroupCommit, type Pool } from "@piperelay/db";
import type { QueuedDelivery } from "@piperelay/queue";
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

// Rounds of matching and storing for one batch before giving up (see writeTogether).
const maxRounds = 5;

/**
 * Stores messages with one delivery per subscribed active endpoint. Requests
 * made while earlier ones are being written are stored together: one
 * statement and one commit for the whole group, plus one to match the events
 * whose subscribers are not cached yet. A request's messages
 * always go in the same statement, so they are committed together when its
 * promise resolves.
 */
export function createMessageWriter(pool: Pool, options: MessageWriterOptions = {}): MessageWriter {
  const cache = createSubscriberCache();
  return createGroupCommit<readonly NewMessage[], WrittenMessage[]>({
    maxBatch: options.maxBatch ?? 500,
    weight: (messages) => messages.length,
    // One request with a bad row (say, an endpoint deleted between matching and storing) fails alone.
    isolateFailures: true,
    async run(requests) {
      const written = await writeTogether(requests.flat());
      let start = 0;
      return requests.map((messages) => {
        start += messages.length;
        return written.slice(start - messages.length, start);
      });
    },
  });

  async function writeTogether(batch: readonly NewMessage[]): Promise<WrittenMessage[]> {
    const written: (WrittenMessage | undefined)[] = batch.map(() => undefined);
    let unwritten = batch.map((_, i) => i);
    // A round ends short only for applications whose endpoints changed since they were
    // matched, which each time takes a change committed between two statements.
    for (let round = 1; unwritten.length > 0; round++) {
      if (round > maxRounds)
        throw new Error(
          `the endpoints of an application changed ${maxRounds} times while its messages were stored`,
        );
      const messages = unwritten.map((i) => batch[i] as NewMessage);
      const subscribers = await subscribersOf(messages);
      const timestamp = new Date();
      const records = messages.map(({ applicationId, message, traceContext }, j): MessageRecord => {
        const { version, endpointIds } = subscribers[j] as EventSubscribers;
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
      unwritten = unwritten.filter((i, j) => {
        const record = records[j] as MessageRecord;
        if (result.staleApplications.has(record.applicationId)) return true;
        written[i] = toWritten(record, result);
        return false;
      });
    }
    return written as WrittenMessage[];
  }

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
