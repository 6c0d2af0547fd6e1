import type { PrismaClient } from "@piperelay/db";
import { encryptSecret, isEncryptedSecret } from "@piperelay/signing";

/**
 * Encrypts endpoint secrets that earlier versions stored in clear (current and
 * previous), a batch at a time; returns how many endpoints it changed. Each
 * row is rewritten only if it still holds the value read, so a rotation or
 * update racing with it (or another admin process doing the same) wins.
 */
export async function encryptStoredSecrets(
  prisma: PrismaClient,
  secretKey: Uint8Array,
  batchSize = 500,
): Promise<number> {
  let changed = 0;
  let after = "";
  for (;;) {
    const rows = await prisma.$queryRaw<{ id: string; secret: string; previous_secret: string | null }[]>`
      SELECT id, secret, previous_secret FROM endpoints
      WHERE id > ${after} AND (secret NOT LIKE 'v1:%' OR previous_secret NOT LIKE 'v1:%')
      ORDER BY id LIMIT ${batchSize}`;
    for (const row of rows) {
      const seal = (value: string) =>
        isEncryptedSecret(value) ? value : encryptSecret(secretKey, row.id, value);
      changed += await prisma.$executeRaw`
        UPDATE endpoints
        SET secret = ${seal(row.secret)},
            previous_secret = ${row.previous_secret === null ? null : seal(row.previous_secret)}
        WHERE id = ${row.id} AND secret = ${row.secret}
          AND previous_secret IS NOT DISTINCT FROM ${row.previous_secret}`;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return changed;
    after = last.id;
  }
}
