import { type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** @defaultValue "info" */
  level?: string;
  /** `json` for machines, `text` for people at a terminal. @defaultValue "json" */
  format?: "json" | "text";
  /** Added to every line, e.g. the service name. */
  base?: Record<string, unknown>;
}

/** The structured logger every process uses; `text` keeps one line per record without extra dependencies. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "json";
  return pino({
    level: options.level ?? "info",
    base: options.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: format === "text" ? { level: (label) => ({ level: label }) } : {},
    redact: { paths: ["secret", "api_key", "authorization", "*.secret", "*.api_key"], censor: "[redacted]" },
  });
}
