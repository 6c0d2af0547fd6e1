export type { Database, DatabaseOptions } from "./client.js";
export { createDatabase } from "./client.js";
export { ensureDatabase } from "./ensure-database.js";
export type { Application, Attempt, Delivery, Endpoint, Message, PrismaClient } from "./gen/prisma/client.js";
export { Prisma } from "./gen/prisma/client.js";
export { refreshMessageStatus } from "./message-status.js";
export type { Migration, MigrationStatus } from "./migrate.js";
export { defaultMigrationsDir, migrateDown, migrateUp, migrationStatus, readMigrations } from "./migrate.js";
export { isDatabaseUnavailable } from "./unavailable.js";
