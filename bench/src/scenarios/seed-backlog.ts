// Queues a large backlog quickly: the rows and JetStream jobs SendMessage
// would create (message + one delivery, committed, then the job published
// with its Nats-Msg-Id and the delivery marked enqueued), written in bulk.
// Like ingest, once the endpoint's circuit is recorded open its new
// deliveries join the parked backlog (due when the park ends, no job).
// Ingest's own speed is measured elsewhere; here it would only make the
// scenario take minutes longer.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newId } from "@piperelay/core";
import { encodeJob, jobMessageId, queueNames } from "@piperelay/queue";
import pg from "pg";
import { benchPayload } from "../load.js";

export interface SeedTarget {
  databaseUrl: string;
  prefix: string;
  applicationId: string;
  endpointId: string;
  eventType: string;
}

export async function seedBacklog(nats: NatsConnection, target: SeedTarget, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: target.databaseUrl });
  await client.connect();
  const js = jetstream(nats, { timeout: 10_000 });
  const names = queueNames(target.prefix);
  const subject = names.subject(target.applicationId, target.endpointId);
  const payload = JSON.stringify(benchPayload("bulk"));
  const chunk = 10_000;
  try {
    for (let done = 0; done < count; done += chunk) {
      const size = Math.min(chunk, count - done);
      const messageIds = Array.from({ length: size }, () => newId("msg"));
      const deliveryIds = Array.from({ length: size }, () => newId("dlv"));
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted, "timestamp")
         SELECT id, $2, $3, $4, 'pending', 1, now() FROM unnest($1::text[]) AS t(id)`,
        [messageIds, target.applicationId, target.eventType, payload],
      );
      const { rows } = await client.query<{ parked: boolean }>(
        `WITH e AS (SELECT circuit_open_until FROM endpoints WHERE id = $3), d AS (
           INSERT INTO deliveries (id, message_id, endpoint_id, application_id, next_retry_at)
           SELECT d, m, $3, $4, COALESCE((SELECT circuit_open_until FROM e), now())
           FROM unnest($1::text[], $2::text[]) AS t(d, m)
         )
         SELECT (SELECT circuit_open_until FROM e) IS NOT NULL AS parked`,
        [deliveryIds, messageIds, target.endpointId, target.applicationId],
      );
      await client.query("COMMIT");
      if (rows[0]?.parked) continue;
      let next = 0;
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (next < size) {
            const deliveryId = deliveryIds[next++] as string;
            const job = { deliveryId, endpointId: target.endpointId, attempt: 1 };
            await js.publish(subject, encodeJob(job), { msgID: jobMessageId(job) });
          }
        }),
      );
      await client.query(
        // Locked in id order, as the services lock rows, so this cannot deadlock with the dispatcher's bulk park.
        `UPDATE deliveries SET enqueued_at = now() WHERE id IN (
           SELECT id FROM deliveries WHERE id = ANY($1::text[]) AND enqueued_at IS NULL AND attempt_count = 0
           ORDER BY id FOR UPDATE)`,
        [deliveryIds],
      );
    }
    return count;
  } finally {
    await client.end();
  }
}
