import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";

/** JetStream's answer to a stored message. */
export interface PubAck {
  stream: string;
  seq: number;
  /** The message id was seen within the stream's duplicate window: nothing was stored. */
  duplicate: boolean;
}

/** Publishes a message to a stream's subject and resolves with JetStream's acknowledgement. */
export type JetStreamPublish = (subject: string, data: Uint8Array, headers: MsgHdrs) => Promise<PubAck>;

/** A publish that JetStream refused or that got no answer in time. */
export class JetStreamPublishError extends Error {
  override name = "JetStreamPublishError";
}

interface Waiting {
  resolve(ack: PubAck): void;
  reject(error: Error): void;
  deadline: number;
}

/**
 * JetStream publishes with their acknowledgements read from one inbox
 * subscription. nats.js's `js.publish` goes through `nc.request`, which per
 * publish starts a timer and, once answered, builds a "cancelled" error with
 * a stack trace that nobody reads: a tenth of batch ingest's CPU. Here a
 * publish is a core publish with a reply subject, and one sweep a second
 * fails those unanswered after `timeoutMs`. The subscription is made at the
 * first publish and lives as long as the connection.
 */
export function createJetStreamPublish(nc: NatsConnection, timeoutMs: number): JetStreamPublish {
  const waiting = new Map<string, Waiting>();
  let inbox: string | undefined;
  let sequence = 0;
  let sweeper: NodeJS.Timeout | undefined;

  function answer(msg: Msg): void {
    const token = msg.subject.slice((inbox as string).length + 1);
    const entry = waiting.get(token);
    if (entry === undefined) return;
    waiting.delete(token);
    if (msg.headers?.hasError) {
      // No stream listens on the subject (503 no responders), or the server refused it.
      entry.reject(
        new JetStreamPublishError(
          `JetStream did not take the message: ${msg.headers.code} ${msg.headers.description}`,
        ),
      );
      return;
    }
    try {
      const reply = msg.json<Partial<PubAck> & { error?: { code?: number; description?: string } }>();
      if (reply.error) {
        entry.reject(
          new JetStreamPublishError(
            `JetStream refused the message: ${reply.error.description ?? "unknown error"} (${reply.error.code ?? "?"})`,
          ),
        );
      } else if (typeof reply.stream !== "string" || typeof reply.seq !== "number") {
        entry.reject(new JetStreamPublishError("JetStream answered with an invalid acknowledgement"));
      } else {
        entry.resolve({ stream: reply.stream, seq: reply.seq, duplicate: reply.duplicate === true });
      }
    } catch (error) {
      entry.reject(
        new JetStreamPublishError("JetStream answered with an invalid acknowledgement", { cause: error }),
      );
    }
  }

  function sweep(): void {
    const now = Date.now();
    for (const [token, entry] of waiting) {
      if (entry.deadline > now) continue;
      waiting.delete(token);
      entry.reject(
        new JetStreamPublishError(`JetStream did not acknowledge the message within ${timeoutMs} ms`),
      );
    }
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  function subscribe(): string {
    const subject = createInbox();
    nc.subscribe(`${subject}.*`, {
      callback: (error, msg) => {
        if (error === null) answer(msg);
      },
    });
    return subject;
  }

  return (subject, data, headers) =>
    new Promise<PubAck>((resolve, reject) => {
      inbox ??= subscribe();
      const token = (sequence++).toString(36);
      waiting.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
      sweeper ??= setInterval(sweep, Math.min(1000, timeoutMs)).unref();
      try {
        nc.publish(subject, data, { reply: `${inbox}.${token}`, headers });
      } catch (error) {
        waiting.delete(token);
        reject(error);
      }
    });
}
