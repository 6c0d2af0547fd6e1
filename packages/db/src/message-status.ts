import type { PrismaClient } from "./client.js";
import { outstandingStatuses } from "./outstanding-statuses.js";
import { preparedStatement, type Sql } from "./prepared-statement.js";

/** Where the refresh runs: a Prisma transaction, or a pg client holding one. */
type Executor = Pick<PrismaClient, "$executeRawUnsafe"> | Sql;

// Two deliveries of one message finishing at once must not each compute the status from a
// snapshot without the other's change. Waiting for the row lock in a statement of its own
// makes the UPDATE that follows take its snapshot after the other one committed. Rows are
// locked in id order, so transactions refreshing several messages cannot deadlock.
// The outstanding statuses are tested as outstanding-statuses.ts says (from `status IN (...)`
// this plan ANDed a walk through the whole partial index of outstanding deliveries, 157,343
// entries with the dead ones, 11 ms, with the few entries of the message).
const lockMessages = `SELECT 1 FROM messages WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`;
const updateStatuses = `
  UPDATE messages m SET status = CASE
    WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id
                 AND array_position($2::text[], d.status) IS NOT NULL) THEN 'pending'
    WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'failed') THEN 'failed'
    ELSE 'delivered' END
  WHERE m.id = ANY($1::text[])`;

const lockStatement = preparedStatement("db.lock-messages", lockMessages);
const updateStatement = preparedStatement("db.refresh-message-statuses", updateStatuses);

/**
 * Recomputes messages' statuses from their deliveries: `pending` while any is
 * pending or retrying, else `failed` if any failed, else `delivered` (also
 * when it had no deliveries at all). Call it inside the transaction that
 * changed the deliveries.
 */
export async function refreshMessageStatuses(db: Executor, messageIds: readonly string[]): Promise<void> {
  const ids = [...new Set(messageIds)];
  if (ids.length === 0) return;
  if ("$executeRawUnsafe" in db) {
    await db.$executeRawUnsafe(lockMessages, ids);
    await db.$executeRawUnsafe(updateStatuses, ids, outstandingStatuses);
    return;
  }
  await lockStatement(db, [ids]);
  await updateStatement(db, [ids, outstandingStatuses]);
}
