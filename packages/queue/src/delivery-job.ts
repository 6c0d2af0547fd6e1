/**
 * What a JetStream message carries: which delivery to attempt, for which
 * endpoint, and the attempt number it was published for (part of its dedupe
 * id). PostgreSQL holds everything else and decides whether the job is still
 * current; the endpoint id lets a dispatcher hold back jobs for an endpoint it
 * is protecting (circuit open, at capacity) without a database round trip.
 */
export interface DeliveryJob {
  deliveryId: string;
  endpointId: string;
  attempt: number;
}

/** A job as a dispatcher received it, with its place in the stream. */
export interface ReceivedJob extends DeliveryJob {
  /** The job's stream sequence: later jobs have higher ones. */
  sequence: number;
}

export function encodeJob(job: DeliveryJob): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ d: job.deliveryId, e: job.endpointId, a: job.attempt }));
}

/** The job in a message body, or undefined when the body is not one (it is then dropped). */
export function decodeJob(data: Uint8Array): DeliveryJob | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { d?: unknown; e?: unknown; a?: unknown };
    if (
      typeof value.d !== "string" ||
      typeof value.e !== "string" ||
      typeof value.a !== "number" ||
      !Number.isInteger(value.a) ||
      value.a < 1
    ) {
      return undefined;
    }
    return { deliveryId: value.d, endpointId: value.e, attempt: value.a };
  } catch {
    return undefined;
  }
}

/**
 * The JetStream dedupe id of a job: a republished job for the same attempt is
 * dropped by the server. `dueAt` (set by the outbox relay) tells apart a job
 * republished after being parked, whose first job the server may still
 * remember within its duplicate window, so that it is not dropped.
 */
export function jobMessageId(job: Pick<DeliveryJob, "deliveryId" | "attempt">, dueAt?: Date): string {
  return dueAt === undefined
    ? `${job.deliveryId}:${job.attempt}`
    : `${job.deliveryId}:${job.attempt}:${dueAt.getTime()}`;
}
