import type { Config } from "@piperelay/config";
import { createDatabase, type Database } from "@piperelay/db";
import { createDeliveryPublisher, type DeliveryPublisher, prepareQueue } from "@piperelay/queue";
import { openClients } from "@piperelay/runtime";

/** Runs `fn` with a database connection, closed afterwards. */
export async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = createDatabase(config.storage.postgres.url, { maxConnections: 2 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Runs `fn` with a database connection and a delivery publisher on NATS, both closed afterwards. */
export async function withPublisher<T>(
  config: Config,
  fn: (db: Database, publisher: DeliveryPublisher) => Promise<T>,
): Promise<T> {
  const clients = await openClients(config, "piperelay-cli");
  try {
    await prepareQueue(clients.database.prisma, clients.nc, clients.names, {
      deliveryTimeoutMs: config.delivery.timeout,
    });
    const publisher = createDeliveryPublisher({
      nc: clients.nc,
      pool: clients.database.pool,
      names: clients.names,
    });
    return await fn(clients.database, publisher);
  } finally {
    await clients.close();
  }
}
