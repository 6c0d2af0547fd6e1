import cluster from "node:cluster";
import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";

export type { DestinationStream, Logger };

export interface LoggerOptions {
  /** @defaultValue "info" */
  level?: string;
  /** `json` for machines, `text` (one readable line per record) for people at a terminal. @defaultValue "json" */
  format?: "json" | "text";
  /** Added to every line, e.g. the service name. */
  base?: Record<string, unknown>;
  /** Where JSON lines go, e.g. a stream a test reads. @defaultValue standard output */
  destination?: DestinationStream;
}

/** The structured logger every process uses. Secrets are redacted by field name. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? "info",
    // One of a service's several processes (server.processes): its lines say which.
    base: cluster.isWorker ? { ...options.base, pid: process.pid } : (options.base ?? {}),
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["secret", "api_key", "authorization", "*.secret", "*.api_key"], censor: "[redacted]" },
  };
  if (options.format === "text") {
    return pino(
      settings,
      pretty({ sync: true, singleLine: true, colorize: false, translateTime: "SYS:standard" }),
    );
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
