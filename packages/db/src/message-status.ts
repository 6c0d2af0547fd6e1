import type { PrismaClient } from "./client.js";

type Executor = Pick<PrismaClient, "$executeRaw">;

/**
 * Recomputes a message's status from its deliveries: `pending` while any is
 * pending or retrying, else `failed` if any failed, else `delivered` (also
 * when it had no deliveries at all).
 */
export async function refreshMessageStatus(db: Executor, messageId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE messages m SET status = CASE
      WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'retrying')) THEN 'pending'
      WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'failed') THEN 'failed'
      ELSE 'delivered' END
    WHERE m.id = ${messageId}`;
}
