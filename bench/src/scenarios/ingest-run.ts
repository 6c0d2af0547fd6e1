import type { Protocol } from "../load.js";
import type { NativeTool } from "../native-load.js";
import type { LatencySummary } from "../stats.js";
import type { CpuCost } from "./context.js";

export interface IngestRun {
  protocol: Protocol;
  /** Ingest's processes (`PIPERELAY_PROCESSES`); 1 where absent (results from before it was measured). */
  processes?: number;
  /** What sent the load: load.ts's Node.js clients where absent, or a native tool (native-load.ts). */
  loadGenerator?: NativeTool;
  /** Requests in flight: clients each waiting for its answer, or the native tool's connections. */
  clients: number;
  acceptedPerSecond: number;
  /** Messages accepted in all, warm-up included. */
  totalAccepted: number;
  errors: number;
  firstError: string | undefined;
  /** Each call's time as the Node.js clients saw it; not taken with a native tool. */
  rpc?: LatencySummary;
  /** CPU seconds per 1,000 messages (the "deliveries" of {@link CpuCost} count messages here). */
  cpu: CpuCost;
}
