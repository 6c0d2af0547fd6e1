import { getRandomValues } from "node:crypto";
import { encodeTime, monotonicFactory } from "ulid";

/** Prefixes of PipeRelay's ids, as the API shows them. */
export type IdPrefix = "app" | "ep" | "msg" | "dlv";

// ulid's own generator asks the OS for one byte at a time, sixteen calls per id; this
// draws them from a buffer refilled 4 KiB at a time.
const randomPool = new Uint8Array(4096);
let poolPosition = randomPool.length;

function pooledRandom(): number {
  if (poolPosition === randomPool.length) {
    getRandomValues(randomPool);
    poolPosition = 0;
  }
  return (randomPool[poolPosition++] as number) / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

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

/**
 * The smallest id of the given kind created at or after `time`: ids compare
 * as strings in creation order, so `id < idAt("msg", t)` means "created
 * before t" and can use the primary key.
 */
export function idAt(prefix: IdPrefix, time: number): string {
  return `${prefix}_${encodeTime(time, 10)}`;
}
