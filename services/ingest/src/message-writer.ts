import { newId } from "@piperelay/core";
import { createGroupCommit, type Pool } from "@piperelay/db";
import type { QueuedDelivery } from "@piperelay/queue";
import { matchEndpoints } from "./match-endpoints.js";
import { type MessageRecord, storeMessages } from "./store-messages.js";
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

/**
 * Stores messages with one delivery per subscribed active endpoint. Requests
 * made while earlier ones are being written are matched and stored together:
 * two statements and one commit for the whole group. A request's messages
 * always go in the same statement, so they are committed together when its
 * promise resolves.
 */
export function createMessageWriter(pool: Pool, options: MessageWriterOptions = {}): MessageWriter {
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
    const targets = await matchEndpoints(
      pool,
      batch.map((m) => ({ applicationId: m.applicationId, eventType: m.message.eventType })),
    );
    const timestamp = new Date();
    const records: MessageRecord[] = batch.map(({ applicationId, message, traceContext }, i) => {
      const endpoints = targets[i] ?? [];
      return {
        id: newId("msg"),
        applicationId,
        eventType: message.eventType,
        payload: message.payload,
        status: endpoints.length === 0 ? "delivered" : "pending",
        idempotencyKey: message.idempotencyKey,
        traceContext,
        timestamp,
        deliveries: endpoints.map((endpoint) => ({
          id: newId("dlv"),
          endpointId: endpoint.id,
          parkedUntil: endpoint.parkedUntil,
        })),
      };
    });
    const stored = await storeMessages(pool, records);
    return records.map((record): WrittenMessage => {
      if (!stored.has(record.id)) return { stored: false };
      return {
        stored: true,
        id: record.id,
        status: record.status,
        timestamp,
        endpointsTargeted: record.deliveries.length,
        deliveries: record.deliveries
          .filter((d) => !d.parkedUntil)
          .map((d) => ({
            deliveryId: d.id,
            applicationId: record.applicationId,
            endpointId: d.endpointId,
            attempt: 1,
            messageId: record.id,
            eventType: record.eventType,
          })),
      };
    });
  }
}
