import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { PrismaClient } from "@piperelay/db";
import {
  type DeliveryService,
  GetDeliveryResponseSchema,
  ListDeliveryAttemptsResponseSchema,
} from "@piperelay/proto";
import { requireApplicationId } from "@piperelay/rpc";
import { notFound, requireId } from "../request-id.js";
import { attemptToProto, type DeliveryWithDetails, deliveryToProto } from "../to-proto.js";

export interface DeliveryServiceDeps {
  prisma: PrismaClient;
}

/** DeliveryService methods on one delivery; the lists and bulk retry are in delivery-queue.ts. */
export type DeliveryLookupService = Pick<
  ServiceImpl<typeof DeliveryService>,
  "getDelivery" | "listDeliveryAttempts"
>;

/** DeliveryService: one delivery and its attempts, visible only to the application that owns it. */
export function createDeliveryService(deps: DeliveryServiceDeps): DeliveryLookupService {
  const { prisma } = deps;

  async function findOwned(ctx: HandlerContext, rawId: string): Promise<DeliveryWithDetails> {
    const applicationId = requireApplicationId(ctx);
    const id = requireId(rawId, "dlv", "delivery");
    const row = await prisma.delivery.findFirst({
      where: { id, applicationId },
      include: {
        endpoint: { select: { url: true } },
        message: { select: { eventType: true } },
        attempts: { orderBy: { attemptNumber: "asc" } },
      },
    });
    return row ?? notFound("delivery", id);
  }

  return {
    async getDelivery(req, ctx) {
      const row = await findOwned(ctx, req.id);
      return create(GetDeliveryResponseSchema, { delivery: deliveryToProto(row) });
    },

    async listDeliveryAttempts(req, ctx) {
      const row = await findOwned(ctx, req.id);
      return create(ListDeliveryAttemptsResponseSchema, { attempts: row.attempts.map(attemptToProto) });
    },
  };
}
