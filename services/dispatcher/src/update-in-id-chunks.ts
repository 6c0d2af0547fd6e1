/** What one chunk's statement reports: rows it changed, and the highest id among them. */
export interface ChunkResult {
  changed: number;
  last: string | null;
}

/** Deliveries changed per statement when one endpoint's whole backlog is parked. */
export const chunkSize = 10_000;

/**
 * Runs a statement over many rows `chunkSize` at a time, each chunk after the
 * last id of the one before, and returns how many rows changed in all. Each
 * statement must take its rows in id order (`ORDER BY id LIMIT chunkSize
 * FOR UPDATE`), as the enqueued marks and the claims do: statements updating many
 * of the same rows in different orders would deadlock.
 */
export async function updateInIdChunks(
  statement: (after: string) => Promise<ChunkResult | undefined>,
): Promise<number> {
  let done = 0;
  let after = "";
  for (;;) {
    const chunk = await statement(after);
    done += chunk?.changed ?? 0;
    if (!chunk?.last || chunk.changed < chunkSize) return done;
    after = chunk.last;
  }
}
