import { idAt, type Logger } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";

export interface RetentionOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Delete finished messages (and their deliveries and attempts) older than this. */
  messageTtlMs: number;
  /** Delete attempt records older than this. */
  attemptTtlMs: number;
  /** @defaultValue 60_000 */
  intervalMs?: number;
  /** Rows per statement, small so that deletes never hold up delivery for long. @defaultValue 500 */
  batchSize?: number;
  now?: () => number;
}

export interface RetentionJob {
  /** One pass; returns how many messages and attempts it deleted. */
  runOnce(): Promise<{ messages: number; attempts: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Deletes old data in small batches, each its own short statement so that
 * delivery never waits on it: messages whose deliveries are all finished
 * (pending ones are kept however old) with their deliveries and attempts, and
 * attempt rows. Every dispatcher runs the job; concurrent passes just share
 * the batches.
 */
export function createRetentionJob(options: RetentionOptions): RetentionJob {
  const { prisma, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function deleteInBatches(statement: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await statement();
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  async function runOnce() {
    const messageCutoff = idAt("msg", now() - options.messageTtlMs);
    const attemptCutoff = new Date(now() - options.attemptTtlMs);
    const messages = await deleteInBatches(
      () => prisma.$executeRaw`
        DELETE FROM messages WHERE id IN (
          SELECT id FROM messages WHERE id < ${messageCutoff} AND status <> 'pending' ORDER BY id LIMIT ${batchSize})`,
    );
    const attempts = await deleteInBatches(
      () => prisma.$executeRaw`
        DELETE FROM attempts WHERE id IN (
          SELECT id FROM attempts WHERE created_at < ${attemptCutoff} ORDER BY created_at LIMIT ${batchSize})`,
    );
    return { messages, attempts };
  }

  const tick = () => {
    running = runOnce()
      .then((deleted) => {
        if (deleted.messages + deleted.attempts > 0) logger.info(deleted, "retention: deleted old records");
      })
      .catch((err: unknown) => logger.warn({ err }, "retention pass failed; will try again"))
      .finally(() => {
        if (timer !== undefined) timer = setTimeout(tick, options.intervalMs ?? 60_000);
      });
  };

  return {
    runOnce,
    start() {
      timer = setTimeout(tick, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
