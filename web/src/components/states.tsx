import type { ReactNode } from "react";
import { describeError } from "../api/errors.js";

/** Placeholder rows while data loads; announced to screen readers once. */
export function LoadingState({ label = "Loading…", rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div className="loading" aria-busy="true">
      <span className="visually-hidden" role="status">
        {label}
      </span>
      {Array.from({ length: rows }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have nothing else to tell them apart.
        <div key={index} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

/** Nothing to show yet: says why and what to do. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children !== undefined && <div className="empty-text">{children}</div>}
      {action !== undefined && <div className="empty-action">{action}</div>}
    </div>
  );
}

/** A failed call: what happened, what to do, and a button to try again. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, hint } = describeError(error);
  return (
    <div className="error-state" role="alert">
      <div>
        <strong>{title}</strong>
        <p>{hint}</p>
      </div>
      {onRetry !== undefined && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** An inline error under a form or next to an action. */
export function InlineError({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const { title, hint } = describeError(error);
  return (
    <p className="inline-error" role="alert">
      <strong>{title}:</strong> {hint}
    </p>
  );
}
