import { z } from "zod";
import { parseDuration, parseSize } from "./duration.js";
import { decodeMasterKey } from "./master-key.js";

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === "number" ? value : parseDuration(value);
  if (parsed === undefined || parsed < 0) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as 30s, 2m or 24h, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === "number" ? value : parseSize(value);
  if (parsed === undefined || parsed <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `expected a size such as 256KiB or 1MiB, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return parsed;
});

const durationList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((value) => (typeof value === "string" ? value.split(",").filter((s) => s.trim() !== "") : value))
  .pipe(z.array(duration));

const processes = z.union([z.string(), z.number()]).transform((value, ctx): number | "auto" => {
  if (value === "auto") return value;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    ctx.addIssue({
      code: "custom",
      message: `expected a number of processes from 1 to 256, or auto, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return count;
});

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolean = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);

/** piperelay.yaml: the design's sections, plus what the NATS-based stack needs. */
export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default("127.0.0.1"),
        port: integer(0, 65535).default(8080),
        /**
         * Processes serving this port (Node's cluster module): each is one event loop, so one
         * process uses at most one core. `auto` is one per core.
         */
        processes: processes.default(1),
        read_timeout: duration.default(30_000),
        write_timeout: duration.default(30_000),
        /** Largest accepted message payload, serialized. */
        max_payload_size: size.default(256 * 1024),
        /** Most messages one SendMessages call may carry. */
        max_batch_messages: integer(1, 10_000).default(100),
        /** Largest SendMessages request body. */
        max_batch_size: size.default(4 * 1024 * 1024),
        /** Required for application management unless the server listens on loopback only. */
        admin_token: z.string().default(""),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        driver: z.literal("postgres", { error: 'only "postgres" is supported' }).default("postgres"),
        postgres: z
          .object({
            url: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/piperelay"),
            /** Connections each process may open; every replica counts against PostgreSQL's max_connections. */
            max_connections: integer(1, 1000).default(20),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    queue: z
      .object({
        nats_url: z.string().min(1).default("nats://127.0.0.1:4222"),
        /** Namespaces the JetStream stream, subjects and consumer, so installations can share a NATS. */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, '_' and '-'")
          .default("piperelay"),
        /** How often the outbox relay looks for deliveries to (re)publish. */
        poll_interval: duration.default(1_000),
        /** Retries due within this are NAK-delayed on JetStream; later ones wait in PostgreSQL. */
        nak_max_delay: duration.default(5 * 60_000),
      })
      .strict()
      .prefault({}),
    delivery: z
      .object({
        workers: integer(1, 10_000).default(200),
        timeout: duration.default(30_000),
        /** Defaults to one more than the retry schedule's length. */
        max_attempts: integer(1, 100).optional(),
        retry_schedule: durationList.prefault(["30s", "2m", "10m", "30m", "2h", "8h", "24h"]),
        /** Deliver to loopback, private, link-local and other internal addresses. Development and tests only. */
        allow_private_targets: boolean.default(false),
        /** Internal ranges deliveries may reach even when private targets are blocked. */
        allowed_cidrs: z
          .union([z.string(), z.array(z.string())])
          .transform((v) =>
            typeof v === "string"
              ? v
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean)
              : v,
          )
          .default([]),
        /** Refuse endpoints with plain http URLs. */
        https_only: boolean.default(false),
        /**
         * How long an endpoint's circuit stays open (its jobs held back, its backlog parked
         * in PostgreSQL) after 5 failures in a row before one probe may go through.
         */
        circuit_cooldown: duration.default(30_000),
        /** Disable an endpoint whose attempts have all failed for this long; 0 never does. */
        disable_after: duration.default(5 * 86_400_000),
        /** How long an endpoint's previous secret keeps signing after a rotation. */
        secret_overlap: duration.default(86_400_000),
        /** Where operational events (such as an endpoint disabled) are POSTed as JSON; empty for none. */
        operational_webhook_url: z.string().default(""),
      })
      .strict()
      .prefault({}),
    dashboard: z
      .object({
        enabled: boolean.default(true),
        path: z.string().startsWith("/").default("/dashboard"),
        /** Same as server.admin_token; kept for configs written after the design. */
        admin_password: z.string().default(""),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        /**
         * 32 random bytes (base64 or hex) from which the keys that encrypt endpoint
         * secrets and pepper API key hashes are derived. Required unless the server
         * listens on loopback only; changing it makes stored secrets and keys unreadable.
         */
        master_key: z
          .string()
          .trim()
          .refine((value) => value === "" || decodeMasterKey(value) !== undefined, {
            message: "must be 32 bytes written as 64 hex digits or base64, e.g. from openssl rand -base64 32",
          })
          .default(""),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        format: z.enum(["json", "text"]).default("json"),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** Serve Prometheus metrics at `GET /metrics` on the API's port, without credentials. */
        enabled: boolean.default(true),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        message_ttl: duration.default(30 * 86_400_000),
        attempt_ttl: duration.default(7 * 86_400_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
