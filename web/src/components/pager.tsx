/** Previous / next buttons for a cursor-paginated list. */
export function Pager({
  page,
  nextCursor,
  onPrevious,
  onNext,
}: {
  page: number;
  nextCursor: string;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  if (page === 1 && nextCursor === "") return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button button-small" onClick={onPrevious} disabled={page === 1}>
        ← Newer
      </button>
      <span className="muted small">Page {page}</span>
      <button
        type="button"
        className="button button-small"
        onClick={() => onNext(nextCursor)}
        disabled={nextCursor === ""}
      >
        Older →
      </button>
    </nav>
  );
}
