import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { newId } from "@piperelay/core";
import type { Endpoint as EndpointRow, Prisma, PrismaClient } from "@piperelay/db";
import { retryPolicyColumn } from "@piperelay/db";
import type { TargetUrlOptions } from "@piperelay/egress";
import {
  CreateEndpointResponseSchema,
  DeleteEndpointResponseSchema,
  type EndpointService,
  GetEndpointResponseSchema,
  GetEndpointStatsResponseSchema,
  ListEndpointsResponseSchema,
  ToggleEndpointResponseSchema,
  UpdateEndpointResponseSchema,
} from "@piperelay/proto";
import { requireApplicationId } from "@piperelay/rpc";
import { encryptSecret, generateSecret } from "@piperelay/signing";
import { decodeCursor } from "../cursor.js";
import { validateEndpointInput } from "../endpoint-input.js";
import { computeEndpointStats } from "../endpoint-stats.js";
import { pageSize, takePage } from "../page.js";
import { isRecordNotFound, notFound, requireId } from "../request-id.js";
import { endpointToProto } from "../to-proto.js";

export interface EndpointServiceDeps {
  prisma: PrismaClient;
  /** Which URLs endpoints may have. */
  targets: TargetUrlOptions;
  /** Encrypts secrets at rest, bound to their endpoint's id (`config.keys.endpointSecrets`). */
  secretKey: Uint8Array;
}

/** EndpointService's CRUD methods; secret rotation and test events are in endpoint-actions.ts. */
export type EndpointCrudService = Omit<
  ServiceImpl<typeof EndpointService>,
  "rotateEndpointSecret" | "sendTestEvent"
>;

/**
 * EndpointService: the calling application's webhook URLs. Every query is
 * scoped to that application, so another application's endpoint id answers
 * not_found exactly like an unknown one.
 */
export function createEndpointService(deps: EndpointServiceDeps): EndpointCrudService {
  const { prisma, secretKey } = deps;
  const toProto = (row: EndpointRow) => endpointToProto(row, secretKey);

  async function findOwned(ctx: HandlerContext, rawId: string): Promise<EndpointRow> {
    const applicationId = requireApplicationId(ctx);
    const id = requireId(rawId, "ep", "endpoint");
    return (await prisma.endpoint.findFirst({ where: { id, applicationId } })) ?? notFound("endpoint", id);
  }

  async function updateOwned(
    applicationId: string,
    id: string,
    data: Prisma.EndpointUpdateInput,
  ): Promise<EndpointRow> {
    return prisma.endpoint
      .update({ where: { id, applicationId }, data: { ...data, updatedAt: new Date() } })
      .catch((error: unknown) => {
        if (isRecordNotFound(error)) notFound("endpoint", id);
        throw error;
      });
  }

  return {
    async createEndpoint(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const settings = validateEndpointInput(req, deps.targets);
      const id = newId("ep");
      const row = await prisma.endpoint.create({
        data: {
          id,
          applicationId,
          url: settings.url,
          description: settings.description,
          secret: encryptSecret(secretKey, id, settings.secret ?? generateSecret()),
          eventTypes: settings.eventTypes,
          isActive: settings.isActive ?? true,
          rateLimit: settings.rateLimit,
          metadata: settings.metadata,
          retryPolicy: retryPolicyColumn(settings.retryPolicy),
        },
      });
      return create(CreateEndpointResponseSchema, { endpoint: toProto(row) });
    },

    async listEndpoints(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const size = pageSize(req.limit);
      const after = decodeCursor(req.cursor, "ep");
      const rows = await prisma.endpoint.findMany({
        where: { applicationId, ...(after === undefined ? {} : { id: { gt: after } }) },
        orderBy: { id: "asc" },
        take: size + 1,
      });
      const page = takePage(rows, size);
      return create(ListEndpointsResponseSchema, {
        endpoints: page.items.map(toProto),
        nextCursor: page.nextCursor,
      });
    },

    async getEndpoint(req, ctx) {
      const row = await findOwned(ctx, req.id);
      return create(GetEndpointResponseSchema, { endpoint: toProto(row) });
    },

    async updateEndpoint(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "ep", "endpoint");
      const settings = validateEndpointInput(req, deps.targets);
      // PUT: omitted fields go back to their defaults, except the secret and the enabled state.
      const row = await updateOwned(applicationId, id, {
        url: settings.url,
        description: settings.description,
        eventTypes: settings.eventTypes,
        rateLimit: settings.rateLimit,
        metadata: settings.metadata,
        retryPolicy: retryPolicyColumn(settings.retryPolicy),
        ...(settings.secret === undefined ? {} : { secret: encryptSecret(secretKey, id, settings.secret) }),
        ...(settings.isActive === undefined ? {} : { isActive: settings.isActive }),
      });
      return create(UpdateEndpointResponseSchema, { endpoint: toProto(row) });
    },

    async deleteEndpoint(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "ep", "endpoint");
      // Its deliveries and their attempts go with it (ON DELETE CASCADE).
      const { count } = await prisma.endpoint.deleteMany({ where: { id, applicationId } });
      if (count === 0) notFound("endpoint", id);
      return create(DeleteEndpointResponseSchema, { id, deleted: true });
    },

    async toggleEndpoint(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "ep", "endpoint");
      if (req.isActive !== undefined) {
        const row = await updateOwned(applicationId, id, { isActive: req.isActive });
        return create(ToggleEndpointResponseSchema, { endpoint: toProto(row) });
      }
      // Flip in the database so two concurrent toggles cannot both read the same state.
      const flipped = await prisma.$executeRaw`
        UPDATE endpoints SET is_active = NOT is_active, updated_at = now()
        WHERE id = ${id} AND application_id = ${applicationId}`;
      if (flipped === 0) notFound("endpoint", id);
      const row = await findOwned(ctx, id);
      return create(ToggleEndpointResponseSchema, { endpoint: toProto(row) });
    },

    async getEndpointStats(req, ctx) {
      const { id } = await findOwned(ctx, req.id);
      const stats = await computeEndpointStats(prisma, id);
      return create(GetEndpointStatsResponseSchema, {
        endpointId: id,
        totalDeliveries: stats.totalDeliveries,
        successfulDeliveries: stats.successfulDeliveries,
        failedDeliveries: stats.failedDeliveries,
        pendingDeliveries: stats.pendingDeliveries,
        successRate: stats.successRate,
        avgLatencyMs: stats.avgLatencyMs,
        lastAttemptAt: stats.lastAttemptAt ? timestampFromDate(stats.lastAttemptAt) : undefined,
      });
    },
  };
}
