import type { PrismaClient } from "@piperelay/db";
import type { TargetUrlOptions } from "@piperelay/egress";
import {
  ApplicationService,
  DeliveryService,
  EndpointService,
  HealthService,
  MessageService,
} from "@piperelay/proto";
import type { DeliveryPublisher } from "@piperelay/queue";
import { type ServicePart, servicePart } from "@piperelay/rpc";
import { createApplicationService } from "./rpc/applications.js";
import { createDeliveryService } from "./rpc/deliveries.js";
import { createEndpointService } from "./rpc/endpoints.js";
import { createMessageQueryService } from "./rpc/messages.js";
import { createStatsService } from "./rpc/stats.js";

export interface AdminDeps {
  prisma: PrismaClient;
  /** Publishes deliveries requeued by RetryMessage. */
  publisher: DeliveryPublisher;
  /** Which URLs endpoints may have. */
  targets: TargetUrlOptions;
  /** Called when publishing requeued deliveries throws; the outbox relay publishes them anyway. */
  onPublishError?: (error: unknown) => void;
}

/**
 * What the admin service serves: ApplicationService, EndpointService,
 * MessageService without SendMessage (ingest serves that), DeliveryService and
 * HealthService.GetStats (every process serves CheckHealth itself).
 * Authentication is the interceptor's job, not these parts'.
 */
export function createAdminParts(deps: AdminDeps): ServicePart[] {
  const { prisma } = deps;
  return [
    servicePart(ApplicationService, createApplicationService({ prisma })),
    servicePart(EndpointService, createEndpointService({ prisma, targets: deps.targets })),
    servicePart(MessageService, createMessageQueryService(deps)),
    servicePart(DeliveryService, createDeliveryService({ prisma })),
    servicePart(HealthService, createStatsService({ prisma })),
  ];
}
