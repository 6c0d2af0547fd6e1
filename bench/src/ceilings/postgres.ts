// PostgreSQL commit rates for the work PipeRelay does per message, through
// `pg` directly and through Prisma over the same pg pool (createDatabase).
import { newId } from "@piperelay/core";
import { createDatabase } from "@piperelay/db";
import pg from "pg";
import { benchPayload } from "../load.js";
import { runWorkers, type WorkerRun } from "./run-workers.js";

export interface PostgresCeilings {
  concurrency: number;
  /** Ingest's transaction (message + one delivery) and then the enqueued UPDATE, via pg. */
  ingestPg: WorkerRun;
  /** The same through Prisma, written as services/ingest/src/accept-message.ts and the publisher write it. */
  ingestPrisma: WorkerRun;
  /** Everything PostgreSQL does for one delivery end to end (ingest, enqueue, claim, record), via pg. */
  fullDeliveryPg: WorkerRun;
}

const enqueuedSql = `
  UPDATE deliveries AS d SET enqueued_at = now()
  FROM unnest($1::text[], $2::int[]) AS j(id, done)
  WHERE d.id = j.id AND d.attempt_count = j.done AND d.enqueued_at IS NULL`;

const claimSql = `
  UPDATE deliveries AS d
  SET locked_until = now() + make_interval(secs => $2::float8)
  FROM endpoints AS e, messages AS m
  WHERE d.id = $1
    AND d.status IN ('pending', 'retrying')
    AND (d.next_retry_at IS NULL OR d.next_retry_at <= now() + make_interval(secs => 2))
    AND (d.locked_until IS NULL OR d.locked_until < now())
    AND e.id = d.endpoint_id AND m.id = d.message_id
  RETURNING d.id, d.message_id, d.endpoint_id, d.application_id, d.attempt_count, d.round_attempts,
            e.url, e.secret, e.is_active, m.payload`;

const recordSql = [
  `INSERT INTO attempts (delivery_id, attempt_number, status_code, response_body, latency_ms, error)
   VALUES ($1, 1, 200, 'ok', 1, '') ON CONFLICT (delivery_id, attempt_number) DO NOTHING`,
  `UPDATE deliveries SET status = 'success', attempt_count = 1, round_attempts = 1, next_retry_at = NULL,
     completed_at = now(), enqueued_at = NULL, locked_until = NULL, updated_at = now() WHERE id = $1`,
];
const messageStatusSql = [
  "SELECT 1 FROM messages WHERE id = $1 FOR UPDATE",
  `UPDATE messages m SET status = CASE
     WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status IN ('pending', 'retrying')) THEN 'pending'
     WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'failed') THEN 'failed'
     ELSE 'delivered' END
   WHERE m.id = $1`,
];

async function seed(url: string): Promise<{ applicationId: string; endpointId: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applicationId = newId("app");
  const endpointId = newId("ep");
  try {
    await client.query(
      "INSERT INTO applications (id, name, api_key_hash, api_key_prefix) VALUES ($1, 'ceiling', $2, 'pk_live_')",
      [applicationId, `hash-${applicationId}`],
    );
    await client.query(
      "INSERT INTO endpoints (id, application_id, url, secret) VALUES ($1, $2, 'http://127.0.0.1:9/', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')",
      [endpointId, applicationId],
    );
  } finally {
    await client.end();
  }
  return { applicationId, endpointId };
}

export async function measurePostgres(
  databaseUrl: string,
  options: { concurrency: number; warmupMs: number; measureMs: number },
): Promise<PostgresCeilings> {
  const { applicationId, endpointId } = await seed(databaseUrl);
  const { concurrency, warmupMs, measureMs } = options;

  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  // An idle connection ended by the server (e.g. a concurrent DROP ... WITH (FORCE)) must not crash the run.
  pool.on("error", () => {});
  async function ingestPg(): Promise<{ messageId: string; deliveryId: string }> {
    const messageId = newId("msg");
    const deliveryId = newId("dlv");
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted, idempotency_key, "timestamp")
         VALUES ($1, $2, 'session.completed', $3, 'pending', 1, NULL, now())`,
        [messageId, applicationId, JSON.stringify(benchPayload("ceiling"))],
      );
      await client.query(
        "INSERT INTO deliveries (id, message_id, endpoint_id, application_id, next_retry_at) VALUES ($1, $2, $3, $4, now())",
        [deliveryId, messageId, endpointId, applicationId],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    await pool.query(enqueuedSql, [[deliveryId], [0]]);
    return { messageId, deliveryId };
  }
  const database = createDatabase(databaseUrl, { maxConnections: concurrency });
  const { prisma } = database;
  async function ingestPrisma(): Promise<void> {
    const messageId = newId("msg");
    const deliveryId = newId("dlv");
    const timestamp = new Date();
    await prisma.$transaction([
      prisma.message.create({
        data: {
          id: messageId,
          applicationId,
          eventType: "session.completed",
          payload: JSON.stringify(benchPayload("ceiling")),
          status: "pending",
          endpointsTargeted: 1,
          idempotencyKey: null,
          timestamp,
        },
      }),
      prisma.delivery.createMany({
        data: [{ id: deliveryId, messageId, endpointId, applicationId, nextRetryAt: timestamp }],
      }),
    ]);
    await prisma.$executeRaw`
      UPDATE deliveries AS d SET enqueued_at = now()
      FROM unnest(${[deliveryId]}::text[], ${[0]}::int[]) AS j(id, done)
      WHERE d.id = j.id AND d.attempt_count = j.done AND d.enqueued_at IS NULL`;
  }

  try {
    const pgRun = await runWorkers(concurrency, warmupMs, measureMs, async () => {
      await ingestPg();
    });
    const prismaRun = await runWorkers(concurrency, warmupMs, measureMs, ingestPrisma);
    const fullRun = await runWorkers(concurrency, warmupMs, measureMs, async () => {
      const { messageId, deliveryId } = await ingestPg();
      const claimed = await pool.query(claimSql, [deliveryId, 60]);
      if (claimed.rowCount !== 1) throw new Error("claim found no delivery");
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        for (const sql of recordSql) await client.query(sql, [deliveryId]);
        for (const sql of messageStatusSql) await client.query(sql, [messageId]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });
    return { concurrency, ingestPg: pgRun, ingestPrisma: prismaRun, fullDeliveryPg: fullRun };
  } finally {
    await database.close();
    await pool.end();
  }
}
