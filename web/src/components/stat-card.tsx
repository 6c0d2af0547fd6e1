import type { ReactNode } from "react";

/** One figure on the overview: a label, a big value and an optional note or trend. */
export function StatCard({
  label,
  value,
  note,
  tone = "default",
  children,
}: {
  label: string;
  value: string;
  note?: ReactNode;
  tone?: "default" | "danger" | "success";
  children?: ReactNode;
}) {
  return (
    <section className={`stat stat-${tone}`} aria-label={label}>
      <h3 className="stat-label">{label}</h3>
      <p className="stat-value">{value}</p>
      {note !== undefined && <p className="stat-note">{note}</p>}
      {children}
    </section>
  );
}
