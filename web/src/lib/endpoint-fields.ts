/** Event types from a text box: separated by commas, spaces or new lines; duplicates dropped. */
export function parseEventTypes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((part) => part !== ""))];
}

/** Metadata as `key=value` lines, for editing in a text box. */
export function formatMetadata(metadata: Readonly<Record<string, string>>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** Parses `key=value` lines (blank lines ignored); the error names the first bad line. */
export function parseMetadata(
  text: string,
): { ok: true; value: Record<string, string> } | { ok: false; error: string } {
  const value: Record<string, string> = {};
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const separator = line.indexOf("=");
    const key = separator < 0 ? "" : line.slice(0, separator).trim();
    if (key === "") return { ok: false, error: `line ${index + 1}: write key=value` };
    if (key in value) return { ok: false, error: `line ${index + 1}: "${key}" appears twice` };
    value[key] = line.slice(separator + 1).trim();
  }
  return { ok: true, value };
}

/** A rate limit from a text box: empty is unlimited; otherwise a whole number of at least 1. */
export function parseRateLimit(
  text: string,
): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: undefined };
  const value = Number(trimmed);
  if (!Number.isInteger(value) || value < 1)
    return { ok: false, error: "a whole number of at least 1, or empty" };
  return { ok: true, value };
}
