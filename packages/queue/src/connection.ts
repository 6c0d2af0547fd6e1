import { connect, type NatsConnection } from "@nats-io/transport-node";

export type { NatsConnection };

/** Raised when NATS cannot be reached at start-up. */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueUnavailableError";
  }
}

/**
 * Connects to NATS and keeps reconnecting forever once connected, so a broker
 * restart never needs a PipeRelay restart.
 */
export async function connectQueue(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url.split(","),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5000,
      // Otherwise every request (JetStream API calls; job publishes no longer go through
      // requests, see jetstream-publish.ts) builds two Error objects with stack traces up
      // front, for the rare timeout: a quarter of batch ingest's CPU when publishes did.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new QueueUnavailableError(`cannot connect to NATS at ${url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
