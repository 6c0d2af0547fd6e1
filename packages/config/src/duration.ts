import ms from "ms";

/** Milliseconds from a duration such as `30s`, `2m`, `24h`, `30d` or `100ms`; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Bytes from a size such as `256KiB`, `1MiB`, `512KB` or a bare number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/i.exec(text.trim());
  if (!match) return undefined;
  const units: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1024 * 1024 };
  return Number(match[1]) * (units[(match[2] ?? "b").toLowerCase()] ?? 1);
}
