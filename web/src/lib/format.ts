import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const numberFormat = new Intl.NumberFormat("en-US");

/** `12,345` */
export function formatCount(value: number): string {
  return numberFormat.format(value);
}

/** A 0–1 rate as `99.5%`; an em dash when there is nothing to divide. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined || Number.isNaN(rate)) return "—";
  const percent = rate * 100;
  return `${percent >= 99.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** `85 ms`, `1.24 s` */
export function formatLatency(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

/** A protobuf timestamp as a Date, or undefined. */
export function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp === undefined ? undefined : timestampDate(timestamp);
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** `4 Dec 2026, 13:05:09` in the browser's time zone. */
export function formatDateTime(date: Date | undefined): string {
  return date === undefined ? "—" : dateTimeFormat.format(date);
}

const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });

/** `13:05`, for chart axes. */
export function formatClock(date: Date): string {
  return timeFormat.format(date);
}

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`; `in 30 s` for the future. */
export function formatRelative(date: Date | undefined, now: Date = new Date()): string {
  if (date === undefined) return "—";
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let text: string;
  if (s < 5) return "just now";
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)} h`;
  else {
    const days = Math.floor(s / 86_400);
    text = `${days} day${days === 1 ? "" : "s"}`;
  }
  return future ? `in ${text}` : `${text} ago`;
}

/** The value of a `datetime-local` input as a Date, or undefined when empty or invalid. */
export function parseLocalDateTime(value: string): Date | undefined {
  if (value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
