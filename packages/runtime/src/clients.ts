import type { Config } from "@piperelay/config";
import { createDatabase, type Database } from "@piperelay/db";
import { connectQueue, type NatsConnection, type QueueNames, queueNames } from "@piperelay/queue";

/** The connections every PipeRelay process holds. */
export interface Clients {
  database: Database;
  nc: NatsConnection;
  names: QueueNames;
  /** Closes NATS (draining it) and then the database pool. */
  close(): Promise<void>;
}

/** Connects to PostgreSQL and NATS as configured. `name` identifies the process to NATS. */
export async function openClients(config: Config, name: string): Promise<Clients> {
  const database = createDatabase(config.storage.postgres.url, {
    maxConnections: config.storage.postgres.max_connections,
  });
  let nc: NatsConnection;
  try {
    nc = await connectQueue(config.queue.nats_url, name);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    database,
    nc,
    names: queueNames(config.queue.prefix),
    async close() {
      await nc.drain().catch(() => nc.close());
      await database.close();
    },
  };
}
