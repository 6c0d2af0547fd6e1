import type { Config } from "@piperelay/config";
import type { Logger } from "@piperelay/core";
import type { Registry } from "@piperelay/metrics";
import type { NodeRequest, NodeResponse, ServicePart } from "@piperelay/rpc";
import type { Clients } from "./clients.js";

/** What a component is built from: the process's config, logger, connections and metrics registry. */
export interface ComponentContext {
  config: Config;
  logger: Logger;
  clients: Clients;
  /** The process's one Prometheus registry; a component registers its own metrics here. */
  metrics: Registry;
}

/**
 * One of PipeRelay's services as a piece of a process: RPCs it serves and/or
 * background work it runs. A process runs one component or all three.
 */
export interface Component {
  name: string;
  parts?: ServicePart[];
  /**
   * Serves HTTP requests on the API's port that are neither REST nor RPC (the
   * dashboard); returns true when it answered. Components are asked in order.
   */
  httpFallback?: (req: NodeRequest, res: NodeResponse) => boolean;
  /**
   * Accepts an admin credential besides the admin token for requests without
   * an Authorization header (the dashboard's session cookie).
   */
  isAdminSession?: (header: Headers) => boolean;
  /** Called after the API is listening. */
  start?(): Promise<void>;
  /** Called after the API stopped taking requests; must finish in-flight work. */
  stop?(): Promise<void>;
}

export type ComponentFactory = (context: ComponentContext) => Component | Promise<Component>;
