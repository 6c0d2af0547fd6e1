import { hasIdPrefix, type IdPrefix } from "@piperelay/core";
import { Prisma } from "@piperelay/db";
import { fail } from "@piperelay/rpc";

/**
 * The `id` of a request, checked before any database look-up: empty is
 * invalid_argument; an id of the wrong kind cannot exist, so it is not_found.
 */
export function requireId(id: string, prefix: IdPrefix, resource: string): string {
  if (id === "") fail({ outcome: "invalid_argument", field: "id", reason: "is required" });
  if (!hasIdPrefix(id, prefix)) fail({ outcome: "not_found", resource, id });
  return id;
}

/** Throws not_found for `resource` with `id`; also used for rows of other applications, so their existence does not leak. */
export function notFound(resource: string, id: string): never {
  fail({ outcome: "not_found", resource, id });
}

/** Whether a Prisma error says the row to update or delete did not match (P2025). */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";
}
