import { monotonicFactory } from "ulid";

/** Prefixes of PipeRelay's ids, as the API shows them. */
export type IdPrefix = "app" | "ep" | "msg" | "dlv";

const nextUlid = monotonicFactory();

/**
 * A new id such as `msg_01JF3Z…`: a prefix naming the kind of object and a
 * ULID, so ids sort by creation time (cursor pagination relies on that).
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}

/** Whether `id` looks like an id of the given kind; a cheap check before a database look-up. */
export function hasIdPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && id.length > prefix.length + 1 && id.length <= 64;
}
