import { fail } from "@piperelay/rpc";
import { encodeCursor } from "./cursor.js";

/** Page size when the request leaves `limit` at 0. */
export const defaultPageSize = 50;

/** The largest page a list returns. */
export const maxPageSize = 200;

/** The page size for a request's `limit`: 0 means {@link defaultPageSize}; otherwise 1 to {@link maxPageSize}. */
export function pageSize(limit: number): number {
  if (limit === 0) return defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    fail({ outcome: "invalid_argument", field: "limit", reason: `must be between 1 and ${maxPageSize}` });
  }
  return limit;
}

/** One page of rows and the cursor for the next one (empty on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string;
}

/**
 * Cuts a page out of rows fetched with `take: size + 1`: the extra row only
 * tells whether there is a next page.
 */
export function takePage<T extends { id: string }>(rows: T[], size: number): Page<T> {
  if (rows.length <= size) return { items: rows, nextCursor: "" };
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return { items, nextCursor: last ? encodeCursor(last.id) : "" };
}
