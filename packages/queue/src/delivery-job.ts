/**
 * What a JetStream message carries: which delivery to attempt and which attempt
 * number it is meant to be. PostgreSQL holds everything else, so a stale or
 * duplicated job is recognised by comparing `attempt` with the stored count.
 */
export interface DeliveryJob {
  deliveryId: string;
  attempt: number;
}

export function encodeJob(job: DeliveryJob): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ d: job.deliveryId, a: job.attempt }));
}

/** The job in a message body, or undefined when the body is not one (it is then dropped). */
export function decodeJob(data: Uint8Array): DeliveryJob | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { d?: unknown; a?: unknown };
    if (
      typeof value.d !== "string" ||
      typeof value.a !== "number" ||
      !Number.isInteger(value.a) ||
      value.a < 1
    ) {
      return undefined;
    }
    return { deliveryId: value.d, attempt: value.a };
  } catch {
    return undefined;
  }
}

/** The JetStream dedupe id of a job: a republished job for the same attempt is dropped by the server. */
export function jobMessageId(job: DeliveryJob): string {
  return `${job.deliveryId}:${job.attempt}`;
}
