import type { LatencySummary } from "../stats.js";

/** What the benchmark asks the receiver process. */
export type ReceiverRequest =
  | { type: "count"; id: number; phases: string[] }
  | { type: "stats"; id: number; phase: string }
  | { type: "forget"; id: number; phases: string[] };

/** What the receiver process answers (`listening` once, unasked). */
export type ReceiverReply =
  | { type: "listening"; id: 0; port: number }
  | { type: "count"; id: number; total: number; counts: Record<string, number> }
  | {
      type: "stats";
      id: number;
      arrivals: number;
      duplicates: number;
      unsigned: number;
      unparsable: number;
      latency: LatencySummary;
    }
  | { type: "ok"; id: number };

/** Arrival statistics of one phase. */
export type PhaseStats = Omit<Extract<ReceiverReply, { type: "stats" }>, "type" | "id">;
