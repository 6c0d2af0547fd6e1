import { create, toJsonString } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { eventTypeProblem, newId } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";
import {
  type EndpointService,
  RotateEndpointSecretResponseSchema,
  SendTestEventResponseSchema,
} from "@piperelay/proto";
import type { DeliveryPublisher } from "@piperelay/queue";
import { fail, requireApplicationId } from "@piperelay/rpc";
import { encryptSecret, generateSecret } from "@piperelay/signing";
import { notFound, requireId } from "../request-id.js";
import { endpointToProto } from "../to-proto.js";

export interface EndpointActionsDeps {
  prisma: PrismaClient;
  /**
   * How long the secret before a rotation keeps signing next to the new one
   * (`delivery.secret_overlap`); 0 ends it at once.
   * @defaultValue 0
   */
  secretOverlapMs?: number;
  /** Encrypts secrets at rest, bound to their endpoint's id (`config.keys.endpointSecrets`). */
  secretKey: Uint8Array;
  /** Publishes the delivery of a test event. */
  publisher: DeliveryPublisher;
  /** Called when publishing throws; the outbox relay publishes the delivery anyway. */
  onPublishError?: (error: unknown) => void;
}

/** Event type of a test event when the request names none. */
export const defaultTestEventType = "piperelay.test";

/** Largest test payload accepted, serialized. */
export const maxTestPayloadBytes = 64 * 1024;

/**
 * EndpointService.RotateEndpointSecret and SendTestEvent: the dashboard's
 * actions on one endpoint, scoped to the calling application.
 */
export function createEndpointActionsService(
  deps: EndpointActionsDeps,
): Pick<ServiceImpl<typeof EndpointService>, "rotateEndpointSecret" | "sendTestEvent"> {
  const { prisma } = deps;
  return {
    async rotateEndpointSecret(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "ep", "endpoint");
      const overlapMs = deps.secretOverlapMs ?? 0;
      // One statement, so two rotations at once cannot lose a secret: SET reads the row as it was.
      // The old value moves as it is stored: encrypted for this same endpoint id, it still decrypts.
      const rotated = await prisma.$executeRaw`
        UPDATE endpoints SET
          previous_secret = CASE WHEN ${overlapMs}::float8 > 0 THEN secret END,
          previous_secret_expires_at = CASE WHEN ${overlapMs}::float8 > 0
            THEN now() + ${overlapMs}::float8 * interval '1 millisecond' END,
          secret = ${encryptSecret(deps.secretKey, id, generateSecret())},
          updated_at = now()
        WHERE id = ${id} AND application_id = ${applicationId}`;
      if (rotated === 0) notFound("endpoint", id);
      const row =
        (await prisma.endpoint.findFirst({ where: { id, applicationId } })) ?? notFound("endpoint", id);
      return create(RotateEndpointSecretResponseSchema, { endpoint: endpointToProto(row, deps.secretKey) });
    },

    async sendTestEvent(req, ctx) {
      const applicationId = requireApplicationId(ctx);
      const id = requireId(req.id, "ep", "endpoint");
      const endpoint =
        (await prisma.endpoint.findFirst({ where: { id, applicationId }, select: { isActive: true } })) ??
        notFound("endpoint", id);
      if (!endpoint.isActive) {
        fail({
          outcome: "invalid_argument",
          field: "id",
          reason: "the endpoint is disabled; enable it first",
        });
      }
      const eventType = req.eventType === "" ? defaultTestEventType : req.eventType;
      const problem = eventTypeProblem(eventType);
      if (problem !== undefined) fail({ outcome: "invalid_argument", field: "event_type", reason: problem });
      const timestamp = new Date();
      const payload =
        req.payload === undefined
          ? JSON.stringify({
              type: eventType,
              endpoint_id: id,
              message: "A test event sent from PipeRelay.",
              sent_at: timestamp.toISOString(),
            })
          : toJsonString(ValueSchema, req.payload);
      if (Buffer.byteLength(payload) > maxTestPayloadBytes) {
        fail({ outcome: "payload_too_large", size: Buffer.byteLength(payload), limit: maxTestPayloadBytes });
      }
      const messageId = newId("msg");
      const deliveryId = newId("dlv");
      // Stored like an ingested message, but with one delivery to this endpoint only.
      await prisma.$transaction([
        prisma.message.create({
          data: {
            id: messageId,
            applicationId,
            eventType,
            payload,
            status: "pending",
            endpointsTargeted: 1,
            timestamp,
          },
        }),
        prisma.delivery.create({
          data: { id: deliveryId, messageId, endpointId: id, applicationId, nextRetryAt: timestamp },
        }),
      ]);
      try {
        await deps.publisher.publish([{ deliveryId, applicationId, endpointId: id, attempt: 1 }]);
      } catch (error) {
        // Committed already: the outbox relay publishes it.
        deps.onPublishError?.(error);
      }
      return create(SendTestEventResponseSchema, { messageId, deliveryId });
    },
  };
}
