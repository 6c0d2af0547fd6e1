import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createTracingInterceptor } from "@piperelay/telemetry";
import { type AuthOptions, createAuthInterceptor } from "./auth-interceptor.js";
import { createErrorInterceptor, type InternalErrorListener } from "./error-interceptor.js";
import { createH2cSniffingServer } from "./h2c-sniffing-server.js";
import { jsonOptions } from "./json-options.js";
import { type NodeRequest, type NodeResponse, requestPath, writeJson } from "./node-http.js";
import { createRestTranscoder } from "./rest-transcoder.js";
import { mergeServiceParts, type ServicePart } from "./service-parts.js";

/** Requests under this path are REST; everything else is Connect, gRPC, gRPC-web or `fallback`. */
export const restPathPrefix = "/api/v1/";

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
  const shutdown = new AbortController();
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
    readMaxBytes: options.maxBodyBytes,
    shutdownSignal: shutdown.signal,
    fallback(req, res) {
      if (options.fallback?.(req, res as NodeResponse)) return;
      writeJson(res as NodeResponse, 404, { code: "not_found", message: `no route for ${requestPath(req)}` });
    },
  });
  const transcoder = createRestTranscoder({
    handlers,
    maxBodyBytes: options.maxBodyBytes,
    onInternalError: options.onInternalError,
  });
  function handler(req: NodeRequest, res: NodeResponse): void {
    if (requestPath(req).startsWith(restPathPrefix)) {
      transcoder.handle(req, res).catch((error: unknown) => {
        options.onInternalError?.(error, `${req.method} ${requestPath(req)}`);
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
    async close() {
      // Handlers still running when the grace period ends see their signal aborted.
      const timer = setTimeout(() => shutdown.abort(cancelled()), graceMs);
      try {
        await server.close(graceMs);
      } finally {
        clearTimeout(timer);
        shutdown.abort(cancelled());
      }
    },
  };
}

function cancelled(): ConnectError {
  return new ConnectError("the server is shutting down", Code.Unavailable);
}
