import { hasIdPrefix, type IdPrefix } from "@piperelay/core";
import { fail } from "@piperelay/rpc";

/**
 * The cursor for the page after the row with `id`. Cursors are opaque to
 * clients (base64url of the id), so the format can change without breaking them.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

/**
 * The id a cursor points after, or undefined for the empty cursor (the first
 * page). Throws invalid_argument for anything this module did not produce for
 * ids of the given kind.
 */
export function decodeCursor(cursor: string, prefix: IdPrefix): string | undefined {
  if (cursor === "") return undefined;
  const id = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!hasIdPrefix(id, prefix) || encodeCursor(id) !== cursor) {
    fail({ outcome: "invalid_argument", field: "cursor", reason: "is not a cursor returned by this list" });
  }
  return id;
}
