import { createApiKeyResolver } from "@piperelay/api-keys";
import type { Config } from "@piperelay/config";
import type { Logger } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";
import {
  createApiServer,
  type NodeRequest,
  type NodeResponse,
  type ServedMetrics,
  type ServicePart,
} from "@piperelay/rpc";

export interface RunningApi {
  port: number;
  close(): Promise<void>;
}

/** What components add to the API server besides RPCs (see `Component`). */
export interface ApiExtras {
  /** Answers requests that are neither REST nor RPC; true when it did. */
  fallback?: (req: NodeRequest, res: NodeResponse) => boolean;
  /** A second admin credential, such as the dashboard's session cookie. */
  isAdminSession?: (header: Headers) => boolean;
  /** Served at `GET /metrics`; none when metrics are turned off. */
  metrics?: ServedMetrics;
}

// Room for the request envelope around a payload of the maximum size.
const envelopeBytes = 64 * 1024;

/**
 * Serves the given RPC implementations on the configured host and port (REST,
 * Connect and gRPC on one port), with a request id and log line per request.
 */
export async function startApi(
  config: Config,
  parts: ServicePart[],
  prisma: PrismaClient,
  logger: Logger,
  extras: ApiExtras = {},
): Promise<RunningApi> {
  const server = createApiServer({
    parts,
    auth: {
      adminToken: config.adminToken,
      openAdmin: config.adminToken === undefined && config.localMode,
      resolveApiKey: createApiKeyResolver(prisma, { pepper: config.keys.apiKeyPepper }),
      isAdminSession: extras.isAdminSession,
      applicationExists: async (id) =>
        (await prisma.application.findUnique({ where: { id }, select: { id: true } })) !== null,
    },
    fallback: extras.fallback,
    // One limit for every method: a SendMessages batch may be larger than one message; each
    // message's payload is still held to max_payload_size when it is validated.
    maxBodyBytes: Math.max(config.server.max_payload_size + envelopeBytes, config.server.max_batch_size),
    logger,
    metrics: extras.metrics,
    onInternalError: (err, method, requestId) =>
      logger.error({ err, method, request_id: requestId }, "request failed"),
  });
  const { port } = await server.listen(config.server.port, config.server.host);
  if (config.adminToken === undefined) {
    logger.warn(
      { host: config.server.host },
      "no admin token set: application management is open to anyone who can reach this loopback address",
    );
  }
  logger.info({ host: config.server.host, port }, "API listening (REST, Connect and gRPC)");
  return { port, close: () => server.close() };
}
