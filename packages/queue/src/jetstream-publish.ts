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

const noop = () => {};

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
 *
 * At most `maxInFlight` publishes wait for their acknowledgement; the rest
 * wait in line here and go out as answers come in. One message to 10,000
 * endpoints is 10,000 jobs: sent all at once they would queue in the
 * connection's buffer and the server, and those at the back could time out
 * for waiting behind their own siblings (the outbox relay would then publish
 * them a second time). A publish's timeout starts when it is sent.
 */
export function createJetStreamPublish(
  nc: NatsConnection,
  timeoutMs: number,
  maxInFlight = 4096,
): JetStreamPublish {
  const waiting = new Map<string, Waiting>();
  // Publishes not yet sent because `maxInFlight` are out, in the order they came, from `next` on.
  let queued: (() => void)[] = [];
  let next = 0;
  let inbox: string | undefined;
  let sequence = 0;
  let sweeper: NodeJS.Timeout | undefined;

  /** Forgets an answered or expired publish, and sends the next one in line. */
  function done(token: string): void {
    waiting.delete(token);
    const send = queued[next];
    if (send === undefined) return;
    queued[next++] = noop;
    if (next === queued.length) {
      queued = [];
      next = 0;
    }
    send();
  }

  function answer(msg: Msg): void {
    const token = msg.subject.slice((inbox as string).length + 1);
    const entry = waiting.get(token);
    if (entry === undefined) return;
    done(token);
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
      done(token);
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

  function send(subject: string, data: Uint8Array, headers: MsgHdrs, entry: Omit<Waiting, "deadline">): void {
    inbox ??= subscribe();
    const token = (sequence++).toString(36);
    waiting.set(token, { ...entry, deadline: Date.now() + timeoutMs });
    sweeper ??= setInterval(sweep, Math.min(1000, timeoutMs)).unref();
    try {
      nc.publish(subject, data, { reply: `${inbox}.${token}`, headers });
    } catch (error) {
      done(token);
      entry.reject(error as Error);
    }
  }

  return (subject, data, headers) =>
    new Promise<PubAck>((resolve, reject) => {
      if (waiting.size < maxInFlight && next === queued.length)
        send(subject, data, headers, { resolve, reject });
      else queued.push(() => send(subject, data, headers, { resolve, reject }));
    });
}
