type Tone = "success" | "warning" | "danger" | "neutral" | "info";

const statuses: Record<string, { label: string; tone: Tone }> = {
  delivered: { label: "Delivered", tone: "success" },
  success: { label: "Succeeded", tone: "success" },
  pending: { label: "Pending", tone: "info" },
  retrying: { label: "Retrying", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

/** A message or delivery status as a coloured badge (`delivered`, `success`, `pending`, `retrying`, `failed`). */
export function StatusBadge({ status }: { status: string }) {
  const known = statuses[status] ?? { label: status || "Unknown", tone: "neutral" as const };
  return (
    <span className={`badge badge-${known.tone}`}>
      <span className="badge-dot" aria-hidden="true" />
      {known.label}
    </span>
  );
}

/** An HTTP status code of an attempt; 0 (no response) reads "No response". */
export function HttpStatus({ code }: { code: number }) {
  if (code === 0) return <span className="badge badge-neutral mono">No response</span>;
  const tone: Tone = code >= 200 && code < 300 ? "success" : code >= 500 ? "danger" : "warning";
  return <span className={`badge badge-${tone} mono`}>{code}</span>;
}

/** A neutral label, e.g. an event type. */
export function Tag({ children }: { children: string }) {
  return <span className="tag mono">{children}</span>;
}
