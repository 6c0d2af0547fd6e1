/** What to tell JetStream about a job: done (ack), or come back after a delay (nak). */
export type JobDecision = { kind: "ack"; reason: string } | { kind: "nak"; delayMs: number; reason: string };
