import type { PrismaClient } from "./client.js";
import { preparedStatement, type Sql } from "./prepared-statement.js";

type Executor = Pick<PrismaClient, "$executeRawUnsafe">;

// Two deliveries of one message finishing at once must not each compute the status from a
// snapshot without the other's change. Waiting for the row lock in a statement of its own
// makes the UPDATE that follows take its snapshot after the other one committed. Rows are
// locked in id order, so transactions refreshing several messages cannot deadlock.
const lockMessages = `SELECT 1 FROM messages WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`;
const updateStatuses = `
  UPDATE messages m SET status = CASE
    WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'retrying')) THEN 'pending'
    WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'failed') THEN 'failed'
    ELSE 'delivered' END
  WHERE m.id = ANY($1::text[])`;

/**
 * Recomputes a message's status from its deliveries: `pending` while any is
 * pending or retrying, else `failed` if any failed, else `delivered` (also
 * when it had no deliveries at all). Call it inside the transaction that
 * changed a delivery.
 */
export async function refreshMessageStatus(db: Executor, messageId: string): Promise<void> {
  await db.$executeRawUnsafe(lockMessages, [messageId]);
  await db.$executeRawUnsafe(updateStatuses, [messageId]);
}

const lockStatement = preparedStatement("db.lock-messages", lockMessages);
const updateStatement = preparedStatement("db.refresh-message-statuses", updateStatuses);

/** refreshMessageStatus for many messages, on a pg client holding the transaction. */
export async function refreshMessageStatuses(sql: Sql, messageIds: readonly string[]): Promise<void> {
  const ids = [...new Set(messageIds)];
  await lockStatement(sql, [ids]);
  await updateStatement(sql, [ids]);
}
