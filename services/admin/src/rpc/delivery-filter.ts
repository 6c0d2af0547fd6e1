import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { eventTypeProblem, hasIdPrefix } from "@piperelay/core";
import type { Prisma } from "@piperelay/db";
import { fail } from "@piperelay/rpc";

/** The delivery statuses a list can be filtered by. */
export const deliveryStatuses = ["pending", "retrying", "success", "failed"] as const;

/** The filter fields ListDeliveries and RetryDeliveries share. */
export interface DeliveryFilterInput {
  status: string;
  endpointId: string;
  eventType: string;
  since?: Timestamp | undefined;
  until?: Timestamp | undefined;
}

/**
 * The Prisma `where` for delivery filters within one application; throws
 * invalid_argument naming the field for an unknown status, a malformed id or
 * event type, or an empty time range.
 */
export function deliveryFilter(applicationId: string, input: DeliveryFilterInput): Prisma.DeliveryWhereInput {
  const where: Prisma.DeliveryWhereInput = { applicationId };
  if (input.status !== "") {
    if (!(deliveryStatuses as readonly string[]).includes(input.status)) {
      fail({
        outcome: "invalid_argument",
        field: "status",
        reason: `must be one of ${deliveryStatuses.join(", ")}`,
      });
    }
    where.status = input.status;
  }
  if (input.endpointId !== "") {
    if (!hasIdPrefix(input.endpointId, "ep")) {
      fail({ outcome: "invalid_argument", field: "endpoint_id", reason: "must be an endpoint id (ep_…)" });
    }
    where.endpointId = input.endpointId;
  }
  if (input.eventType !== "") {
    const problem = eventTypeProblem(input.eventType);
    if (problem !== undefined) fail({ outcome: "invalid_argument", field: "event_type", reason: problem });
    where.message = { eventType: input.eventType };
  }
  const since = input.since ? timestampDate(input.since) : undefined;
  const until = input.until ? timestampDate(input.until) : undefined;
  if (since && until && until.getTime() <= since.getTime()) {
    fail({ outcome: "invalid_argument", field: "until", reason: "must be after since" });
  }
  if (since || until) where.createdAt = { ...(since ? { gte: since } : {}), ...(until ? { lt: until } : {}) };
  return where;
}
