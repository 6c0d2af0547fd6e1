import { useCallback, useState } from "react";

/** Page-by-page navigation over a cursor-paginated list; `reset` when the filters change. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([""]);
  const cursor = cursors.at(-1) ?? "";
  const next = useCallback((nextCursor: string) => setCursors((current) => [...current, nextCursor]), []);
  const previous = useCallback(
    () => setCursors((current) => (current.length > 1 ? current.slice(0, -1) : current)),
    [],
  );
  const reset = useCallback(() => setCursors([""]), []);
  return { cursor, page: cursors.length, next, previous, reset };
}
