import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { hasIdPrefix } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";
import {
  type DeliveryService,
  ListDeliveriesResponseSchema,
  RetryDeliveriesResponseSchema,
} from "@piperelay/proto";
import type { DeliveryPublisher } from "@piperelay/queue";
import { fail, requireApplicationId } from "@piperelay/rpc";
import { decodeCursor } from "../cursor.js";
import { pageSize, takePage } from "../page.js";
import { requeueFailedDeliveries } from "../requeue-failed.js";
import { deliveryToProto } from "../to-proto.js";
import { deliveryFilter } from "./delivery-filter.js";

export interface DeliveryQueueServiceDeps {
  prisma: PrismaClient;
  /** Publishes deliveries requeued by RetryDeliveries. */
  publisher: DeliveryPublisher;
  /** Called when publishing requeued deliveries throws; the outbox relay publishes them anyway. */
  onPublishError?: (error: unknown) => void;
}

/** The most ids one RetryDeliveries call takes; larger sets go by filter (`all_matching`). */
export const maxRetryIds = 1000;

/**
 * DeliveryService.ListDeliveries and RetryDeliveries: deliveries across
 * messages, which is what the dead letter queue shows (`status: "failed"`),
 * and re-queueing them in bulk. Scoped to the calling application.
 */
export function createDeliveryQueueService(
  deps: DeliveryQueueServiceDeps,
): Pick<ServiceImpl<typeof DeliveryService>, "listDeliveries" | "retryDeliveries"> {
  const { prisma } = deps;
  return {
    async listDeliveries(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const where = deliveryFilter(applicationId, req);
      const size = pageSize(req.limit);
      const before = decodeCursor(req.cursor, "dlv");
      const rows = await prisma.delivery.findMany({
        where: before === undefined ? where : { ...where, id: { lt: before } },
        // Ids are ULIDs: id order is creation order and keeps the cursor stable.
        orderBy: { id: "desc" },
        take: size + 1,
        include: {
          endpoint: { select: { url: true } },
          message: { select: { eventType: true } },
          attempts: { orderBy: { attemptNumber: "desc" }, take: 1 },
        },
      });
      const page = takePage(rows, size);
      return create(ListDeliveriesResponseSchema, {
        deliveries: page.items.map((row) => {
          const delivery = deliveryToProto(row);
          delivery.attempts = [];
          return delivery;
        }),
        nextCursor: page.nextCursor,
      });
    },

    async retryDeliveries(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      let deliveryIds: string[];
      if (req.allMatching) {
        const where = deliveryFilter(applicationId, { ...req, status: "failed" });
        const rows = await prisma.delivery.findMany({ where, select: { id: true } });
        deliveryIds = rows.map((row) => row.id);
      } else {
        if (req.ids.length === 0) {
          fail({
            outcome: "invalid_argument",
            field: "ids",
            reason: "name at least one delivery, or set all_matching",
          });
        }
        if (req.ids.length > maxRetryIds) {
          fail({
            outcome: "invalid_argument",
            field: "ids",
            reason: `at most ${maxRetryIds} ids; use all_matching for more`,
          });
        }
        // Ids of another kind cannot match; the application scope below drops other applications' ids.
        deliveryIds = req.ids.filter((id) => hasIdPrefix(id, "dlv"));
      }
      if (deliveryIds.length === 0) return create(RetryDeliveriesResponseSchema, { deliveriesRequeued: 0 });
      const result = await requeueFailedDeliveries(deps, { applicationId, deliveryIds });
      return create(RetryDeliveriesResponseSchema, { deliveriesRequeued: result.requeued });
    },
  };
}
