/** What to tell JetStream about a job: done (ack), or come back after a delay (nak). */
export type JobDecision = (
  | { kind: "ack"; reason: string }
  | { kind: "nak"; delayMs: number; reason: string }
) & {
  /** The delivery's message, when the job got as far as reading the delivery; for log lines. */
  messageId?: string;
};
