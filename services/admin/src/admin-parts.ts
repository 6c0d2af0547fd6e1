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
import { createDeliveryQueueService } from "./rpc/delivery-queue.js";
import { createEndpointActionsService } from "./rpc/endpoint-actions.js";
import { createEndpointService } from "./rpc/endpoints.js";
import { createMessageQueryService } from "./rpc/messages.js";
import { createStatsService } from "./rpc/stats.js";
import { createStatsSeriesService } from "./rpc/stats-series.js";

export interface AdminDeps {
  prisma: PrismaClient;
  /** Publishes deliveries requeued by RetryMessage and RetryDeliveries, and test events. */
  publisher: DeliveryPublisher;
  /** Which URLs endpoints may have. */
  targets: TargetUrlOptions;
  /** Called when publishing requeued deliveries throws; the outbox relay publishes them anyway. */
  onPublishError?: (error: unknown) => void;
  /** How long a rotated-out secret keeps signing (`delivery.secret_overlap`). @defaultValue 0 */
  secretOverlapMs?: number;
  /** Encrypts endpoint secrets at rest (`config.keys.endpointSecrets`). */
  secretKey: Uint8Array;
  /** Mixed into stored API key hashes (`config.keys.apiKeyPepper`). */
  apiKeyPepper: Uint8Array;
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
    servicePart(ApplicationService, createApplicationService({ prisma, apiKeyPepper: deps.apiKeyPepper })),
    servicePart(EndpointService, {
      ...createEndpointService({ prisma, targets: deps.targets, secretKey: deps.secretKey }),
      ...createEndpointActionsService(deps),
    }),
    servicePart(MessageService, createMessageQueryService(deps)),
    servicePart(DeliveryService, {
      ...createDeliveryService({ prisma }),
      ...createDeliveryQueueService(deps),
    }),
    servicePart(HealthService, {
      ...createStatsService({ prisma }),
      ...createStatsSeriesService({ prisma }),
    }),
  ];
}
