import { randomUUID } from "node:crypto";
import { type ContextValues, createContextKey, createContextValues } from "@connectrpc/connect";
import type { Logger } from "@piperelay/core";
import { type NodeRequest, type NodeResponse, requestPath } from "./node-http.js";

/** The header a request id arrives in (from a proxy or the caller) and is echoed back in. */
export const requestIdHeader = "x-request-id";

/** The request's id, for handlers; empty outside a request. */
export const requestIdKey = createContextKey("", { description: "request id" });

/**
 * The request's logger: the server's, with `request_id` bound. Handlers log
 * through it (`ctx.values.get(requestLoggerKey)?.info(...)`); undefined when
 * the server was built without a logger.
 */
export const requestLoggerKey = createContextKey<Logger | undefined>(undefined, {
  description: "request logger",
});

// Ids from outside are kept when they look like ids; anything else is replaced, so logs stay clean.
const acceptableId = /^[\w.:@/+=-]{1,128}$/;
// Probes and scrapes come every few seconds; their lines would drown the rest at `info`.
const quietPaths = new Set(["/metrics", "/api/v1/health", "/api/v1/health/live", "/api/v1/health/ready"]);

/** The id `RequestLog.begin` gave the request of this response; empty if none. */
export function responseRequestId(res: NodeResponse): string {
  const id = res.getHeader(requestIdHeader);
  return typeof id === "string" ? id : "";
}

/** Per-request ids and loggers of an API server. */
export interface RequestLog {
  /**
   * Gives the request its id (the caller's `X-Request-Id` when acceptable, a
   * new UUID otherwise), echoes it in the response header, and logs one line
   * when the response is done.
   */
  begin(req: NodeRequest, res: NodeResponse): void;
  /** The context values of a request `begin` saw: its id and logger. */
  contextValues(req: NodeRequest): ContextValues;
}

/** Request ids and request log lines; without a logger, ids only. */
export function createRequestLog(logger: Logger | undefined): RequestLog {
  const requests = new WeakMap<NodeRequest, { id: string; logger: Logger | undefined }>();
  return {
    begin(req, res) {
      const sent = req.headers[requestIdHeader];
      const id = typeof sent === "string" && acceptableId.test(sent) ? sent : randomUUID();
      res.setHeader(requestIdHeader, id);
      const log = logger?.child({ request_id: id });
      requests.set(req, { id, logger: log });
      if (!log) return;
      const started = performance.now();
      const path = requestPath(req);
      res.once("finish", () => {
        const fields = {
          method: req.method,
          path,
          status_code: res.statusCode,
          duration_ms: Math.round(performance.now() - started),
        };
        if (quietPaths.has(path)) log.debug(fields, "request finished");
        else log.info(fields, "request finished");
      });
    },
    contextValues(req) {
      const values = createContextValues();
      const request = requests.get(req);
      if (request) {
        values.set(requestIdKey, request.id);
        values.set(requestLoggerKey, request.logger);
      }
      return values;
    },
  };
}
