import { formatRate } from "../lib/format.js";
import type { Health } from "../lib/health.js";

/** A coloured dot for an endpoint's health, with its label for screen readers (and visible when `showLabel`). */
export function HealthDot({ health, showLabel = false }: { health: Health; showLabel?: boolean }) {
  const detail =
    health.successRate === undefined
      ? health.label
      : `${health.label}: ${formatRate(health.successRate)} of attempts succeeded in 24 h`;
  return (
    <span className="health" title={detail}>
      <span className={`health-dot health-${health.level}`} aria-hidden="true" />
      {showLabel ? <span>{health.label}</span> : <span className="visually-hidden">{detail}</span>}
    </span>
  );
}
