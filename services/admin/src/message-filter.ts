import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { eventTypeProblem } from "@piperelay/core";
import type { Prisma } from "@piperelay/db";
import { fail } from "@piperelay/rpc";

/** The message statuses a list can be filtered by. */
export const messageStatuses = ["pending", "delivered", "failed"] as const;

/** The filter fields of ListMessages. */
export interface MessageFilterInput {
  eventType: string;
  status: string;
  since?: Timestamp | undefined;
  until?: Timestamp | undefined;
}

/**
 * The Prisma `where` for ListMessages' filters within one application; throws
 * invalid_argument naming the field for an unknown status, a malformed event
 * type or an empty time range.
 */
export function messageFilter(applicationId: string, input: MessageFilterInput): Prisma.MessageWhereInput {
  const where: Prisma.MessageWhereInput = { applicationId };
  if (input.eventType !== "") {
    const problem = eventTypeProblem(input.eventType);
    if (problem !== undefined) fail({ outcome: "invalid_argument", field: "event_type", reason: problem });
    where.eventType = input.eventType;
  }
  if (input.status !== "") {
    if (!(messageStatuses as readonly string[]).includes(input.status)) {
      fail({
        outcome: "invalid_argument",
        field: "status",
        reason: `must be one of ${messageStatuses.join(", ")}`,
      });
    }
    where.status = input.status;
  }
  const since = input.since ? timestampDate(input.since) : undefined;
  const until = input.until ? timestampDate(input.until) : undefined;
  if (since && until && until.getTime() <= since.getTime()) {
    fail({ outcome: "invalid_argument", field: "until", reason: "must be after since" });
  }
  if (since || until) where.timestamp = { ...(since ? { gte: since } : {}), ...(until ? { lt: until } : {}) };
  return where;
}
