import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { PrismaClient } from "@piperelay/db";
import {
  GetMessageResponseSchema,
  ListMessagesResponseSchema,
  type MessageService,
  RetryMessageResponseSchema,
} from "@piperelay/proto";
import type { DeliveryPublisher } from "@piperelay/queue";
import { requireApplicationId } from "@piperelay/rpc";
import { decodeCursor } from "../cursor.js";
import { messageFilter } from "../message-filter.js";
import { pageSize, takePage } from "../page.js";
import { notFound, requireId } from "../request-id.js";
import { requeueFailedDeliveries } from "../requeue-failed.js";
import { messageToProto } from "../to-proto.js";

export interface MessageQueryServiceDeps {
  prisma: PrismaClient;
  publisher: DeliveryPublisher;
  /** Called when publishing requeued deliveries throws; the outbox relay publishes them anyway. */
  onPublishError?: (error: unknown) => void;
}

/** The MessageService methods the admin service serves; SendMessage and SendMessages belong to ingest. */
export type MessageQueryService = Omit<ServiceImpl<typeof MessageService>, "sendMessage" | "sendMessages">;

/** MessageService's read and retry methods, scoped to the calling application. */
export function createMessageQueryService(deps: MessageQueryServiceDeps): MessageQueryService {
  const { prisma } = deps;
  return {
    async listMessages(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const where = messageFilter(applicationId, req);
      const size = pageSize(req.limit);
      const before = decodeCursor(req.cursor, "msg");
      const rows = await prisma.message.findMany({
        where: before === undefined ? where : { ...where, id: { lt: before } },
        // Ids are ULIDs, so id order is acceptance order and the cursor stays stable.
        orderBy: { id: "desc" },
        take: size + 1,
      });
      const page = takePage(rows, size);
      return create(ListMessagesResponseSchema, {
        messages: page.items.map((row) => messageToProto(row)),
        nextCursor: page.nextCursor,
      });
    },

    async getMessage(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "msg", "message");
      const row =
        (await prisma.message.findFirst({
          where: { id, applicationId },
          include: {
            deliveries: {
              orderBy: { id: "asc" },
              include: {
                endpoint: { select: { url: true } },
                attempts: { orderBy: { attemptNumber: "asc" } },
              },
            },
          },
        })) ?? notFound("message", id);
      return create(GetMessageResponseSchema, { message: messageToProto(row, row.deliveries) });
    },

    async retryMessage(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "msg", "message");
      const exists = await prisma.message.findFirst({ where: { id, applicationId }, select: { id: true } });
      if (!exists) notFound("message", id);
      const result = await requeueFailedDeliveries(deps, { applicationId, messageId: id });
      return create(RetryMessageResponseSchema, { id, deliveriesRequeued: result.requeued });
    },
  };
}
