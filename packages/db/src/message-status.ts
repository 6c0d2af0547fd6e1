import type { PrismaClient } from "./client.js";

type Executor = Pick<PrismaClient, "$executeRaw">;

/**
 * Recomputes a message's status from its deliveries: `pending` while any is
 * pending or retrying, else `failed` if any failed, else `delivered` (also
 * when it had no deliveries at all). Call it inside the transaction that
 * changed a delivery.
 */
export async function refreshMessageStatus(db: Executor, messageId: string): Promise<void> {
  // Two deliveries of one message finishing at once must not each compute the status
  // from a snapshot without the other's change. Waiting for the row lock in a statement
  // of its own makes the UPDATE below take its snapshot after the other one committed.
  await db.$executeRaw`SELECT 1 FROM messages WHERE id = ${messageId} FOR UPDATE`;
  await db.$executeRaw`
    UPDATE messages m SET status = CASE
      WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'retrying')) THEN 'pending'
      WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'failed') THEN 'failed'
      ELSE 'delivered' END
    WHERE m.id = ${messageId}`;
}
