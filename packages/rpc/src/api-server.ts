import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "@piperelay/core";
import { createTracingInterceptor } from "@piperelay/telemetry";
import { type AuthOptions, createAuthInterceptor } from "./auth-interceptor.js";
import { createErrorInterceptor, type InternalErrorListener } from "./error-interceptor.js";
import { createH2cSniffingServer } from "./h2c-sniffing-server.js";
import { jsonOptions } from "./json-options.js";
import { type NodeRequest, type NodeResponse, requestPath, writeJson } from "./node-http.js";
import { createRequestLog, responseRequestId } from "./request-log.js";
import { createRestTranscoder } from "./rest-transcoder.js";
import { mergeServiceParts, type ServicePart } from "./service-parts.js";

/** Requests under this path are REST; everything else is Connect, gRPC, gRPC-web or `fallback`. */
export const restPathPrefix = "/api/v1/";

/** Where the Prometheus metrics are served, when the server has any. */
export const metricsPath = "/metrics";

/** Metrics to serve at {@link metricsPath}, in the Prometheus text format. */
export interface ServedMetrics {
  /** The content type of what `render` returns. */
  readonly contentType: string;
  render(): Promise<string>;
}

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  /** What the process serves; parts of one service are merged (see `mergeServiceParts`). */
  parts: readonly ServicePart[];
  auth: AuthOptions;
  /** Largest request body (REST) or message (Connect, gRPC) accepted. */
  maxBodyBytes: number;
  /** Told about every error hidden from a client as "internal error"; log it here. */
  onInternalError?: InternalErrorListener;
  /**
   * Logs one line per request (`request finished`, with method, path, status
   * and duration; at `debug` for health probes and scrapes) and gives handlers
   * a child logger with the request's `request_id` (see `requestLoggerKey`).
   * Without it requests still get an id, but nothing is logged.
   */
  logger?: Logger;
  /** Served at `GET /metrics` (plain HTTP, no credentials) when set. */
  metrics?: ServedMetrics;
  /**
   * Serves paths that are neither REST nor RPC (a dashboard, say); returns
   * true when it answered. Unanswered requests get a 404 JSON error.
   */
  fallback?: (req: NodeRequest, res: NodeResponse) => boolean;
  /**
   * How long `close()` lets requests in flight finish before cutting them off.
   * @defaultValue 10_000
   */
  shutdownGraceMs?: number;
}

/** The API of one process: REST, Connect, gRPC-web (HTTP/1.1) and gRPC, Connect (h2c) on one port. */
export interface ApiServer {
  /** The request handler, for mounting on a server of your own (e.g. in tests). */
  readonly handler: (req: NodeRequest, res: NodeResponse) => void;
  /** Starts listening; port 0 picks a free port, which is returned. */
  listen(port: number, host: string): Promise<{ port: number }>;
  /** Stops accepting, closes idle connections at once, waits for requests in flight (see `shutdownGraceMs`). */
  close(): Promise<void>;
}

/**
 * Builds the API server: the service parts behind the error and auth
 * interceptors, served as Connect/gRPC/gRPC-web and, per the `google.api.http`
 * options, as REST under {@link restPathPrefix}. Does not listen until `listen()`.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const requestLog = createRequestLog(options.logger);
  let handlers: UniversalHandler[] = [];
  const connectHandler = connectNodeAdapter({
    routes(router) {
      for (const part of mergeServiceParts(options.parts)) router.service(part.service, part.implementation);
      handlers = router.handlers;
    },
    // Tracing first, so each RPC's span covers the rest; then errors, so they also see what auth throws.
    interceptors: [
      createTracingInterceptor(),
      createErrorInterceptor(options.onInternalError),
      createAuthInterceptor(options.auth),
    ],
    jsonOptions,
    contextValues: (req) => requestLog.contextValues(req),
    readMaxBytes: options.maxBodyBytes,
    // No shutdownSignal: it linked every request's signal to one shared signal (a listener
    // added and removed per call) only to abort handlers still running when the grace period
    // ends, and destroying their connections then aborts them anyway.
    fallback(req, res) {
      if (options.fallback?.(req, res as NodeResponse)) return;
      writeJson(res as NodeResponse, 404, { code: "not_found", message: `no route for ${requestPath(req)}` });
    },
  });
  const transcoder = createRestTranscoder({
    handlers,
    maxBodyBytes: options.maxBodyBytes,
    onInternalError: options.onInternalError,
    contextValues: (req) => requestLog.contextValues(req),
  });
  function handler(req: NodeRequest, res: NodeResponse): void {
    requestLog.begin(req, res);
    const path = requestPath(req);
    if (path === metricsPath && options.metrics) {
      serveMetrics(req, res, options.metrics, options.onInternalError);
      return;
    }
    if (path.startsWith(restPathPrefix)) {
      transcoder.handle(req, res).catch((error: unknown) => {
        options.onInternalError?.(error, `${req.method} ${requestPath(req)}`, responseRequestId(res));
        res.destroy();
      });
      return;
    }
    connectHandler(req, res);
  }
  const server = createH2cSniffingServer(handler);
  return {
    handler,
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(graceMs),
  };
}

/** Answers a scrape; the Connect adapter never sees it, so any Prometheus client can read it. */
function serveMetrics(
  req: NodeRequest,
  res: NodeResponse,
  metrics: ServedMetrics,
  onInternalError: InternalErrorListener | undefined,
): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    writeJson(
      res,
      405,
      { code: "unimplemented", message: `${req.method} is not allowed on ${metricsPath}` },
      { allow: "GET, HEAD" },
    );
    return;
  }
  metrics.render().then(
    (text) => {
      res.setHeader("content-type", metrics.contentType);
      res.setHeader("content-length", Buffer.byteLength(text));
      res.statusCode = 200;
      // Node leaves the body out of a HEAD response by itself.
      res.end(text);
    },
    (error: unknown) => {
      onInternalError?.(error, `GET ${metricsPath}`, responseRequestId(res));
      writeJson(res, 500, { code: "internal", message: "internal error" });
    },
  );
}
