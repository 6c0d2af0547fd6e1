import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { type DerivedKeys, decodeMasterKey, deriveKeys, insecureDevelopmentMasterKey } from "./master-key.js";
import { configSchema, type ParsedConfig } from "./schema.js";

/** Validated configuration with derived values filled in. */
export interface Config extends ParsedConfig {
  delivery: ParsedConfig["delivery"] & { max_attempts: number };
  /** The admin token, from server.admin_token or dashboard.admin_password. */
  adminToken: string | undefined;
  /** True when the server listens on loopback only: application management may then be open. */
  localMode: boolean;
  /** Sub-keys of `security.master_key` (or of the development key, in local mode without one). */
  keys: DerivedKeys;
  /** True when no master key is set and the public development key is in use (local mode only). */
  insecureMasterKey: boolean;
}

/** A configuration problem, naming the key and where its value came from. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** Environment variables with names of their own; every key also has `PIPERELAY_<SECTION>_<KEY>`. */
const envAliases: Record<string, string> = {
  DATABASE_URL: "storage.postgres.url",
  NATS_URL: "queue.nats_url",
  PIPERELAY_HOST: "server.host",
  PIPERELAY_PORT: "server.port",
  PIPERELAY_PROCESSES: "server.processes",
  PIPERELAY_ADMIN_TOKEN: "server.admin_token",
  PIPERELAY_MASTER_KEY: "security.master_key",
  PIPERELAY_MAX_PAYLOAD_SIZE: "server.max_payload_size",
  PIPERELAY_NATS_PREFIX: "queue.prefix",
  PIPERELAY_WORKERS: "delivery.workers",
  PIPERELAY_DELIVERY_TIMEOUT: "delivery.timeout",
  PIPERELAY_MAX_ATTEMPTS: "delivery.max_attempts",
  PIPERELAY_RETRY_SCHEDULE: "delivery.retry_schedule",
  PIPERELAY_ALLOW_PRIVATE_TARGETS: "delivery.allow_private_targets",
  PIPERELAY_ALLOWED_CIDRS: "delivery.allowed_cidrs",
  PIPERELAY_HTTPS_ONLY: "delivery.https_only",
  PIPERELAY_DISABLE_AFTER: "delivery.disable_after",
  PIPERELAY_OPERATIONAL_WEBHOOK_URL: "delivery.operational_webhook_url",
  PIPERELAY_LOG_LEVEL: "logging.level",
  PIPERELAY_LOG_FORMAT: "logging.format",
};

export interface LoadConfigOptions {
  /** Path of piperelay.yaml; a missing file is an error only when the path was given explicitly. */
  file?: string;
  /** Whether `file` was named by the user (flag or PIPERELAY_CONFIG) rather than the default. */
  fileRequired?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment, e.g. from command-line flags. */
  overrides?: Record<string, string>;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
}

/** Every `section.key` path of the schema, for the generic PIPERELAY_<SECTION>_<KEY> variables. */
function leafPaths(shape: Record<string, z.ZodType>, prefix = ""): string[] {
  return Object.entries(shape).flatMap(([key, schema]) => {
    const inner = unwrapObject(schema);
    return inner ? leafPaths(inner, `${prefix}${key}.`) : [`${prefix}${key}`];
  });
}

function unwrapObject(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 5; depth++) {
    const def = (current as { _zod?: { def?: { type?: string; shape?: unknown; innerType?: unknown } } })._zod
      ?.def;
    if (!def) return undefined;
    if (def.type === "object") return def.shape as Record<string, z.ZodType>;
    if (def.innerType === undefined) return undefined;
    current = def.innerType;
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Reads piperelay.yaml (if any), applies environment variables and overrides,
 * and validates the result. Throws ConfigError naming the offending key.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const sources = new Map<string, string>();
  let raw: Record<string, unknown> = {};
  const file = options.file;
  if (file !== undefined) {
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (options.fileRequired) throw new ConfigError(`cannot read config file ${file}`, { cause: error });
    }
    if (text !== undefined) {
      try {
        raw = (parseYaml(text) as Record<string, unknown> | null) ?? {};
      } catch (error) {
        throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (typeof raw !== "object" || Array.isArray(raw))
        throw new ConfigError(`config file ${file} must be a mapping`);
    }
  }

  const generic = Object.fromEntries(
    leafPaths(configSchema.shape).map((path) => [
      `PIPERELAY_${path.replaceAll(".", "_").toUpperCase()}`,
      path,
    ]),
  );
  for (const [name, path] of Object.entries({ ...generic, ...envAliases })) {
    const value = env[name];
    if (value !== undefined && value !== "") {
      setPath(raw, path, value);
      sources.set(path, name);
    }
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    setPath(raw, path, value);
    sources.set(path, "command line");
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join(".") || "(root)";
      const top = issue.path.slice(0, 3).join(".");
      const source = sources.get(top) ?? sources.get(issue.path.slice(0, 2).join("."));
      const from = source ? ` (from ${source})` : file ? ` (in ${file})` : "";
      const message =
        issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : issue.message;
      return `${path}: ${message}${from}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const parsed = result.data;
  if (parsed.delivery.retry_schedule.length === 0 && parsed.delivery.max_attempts === undefined) {
    parsed.delivery.max_attempts = 1;
  }
  const adminToken = parsed.server.admin_token || parsed.dashboard.admin_password || undefined;
  const localMode = isLoopback(parsed.server.host);
  if (!adminToken && !localMode) {
    throw new ConfigError(
      `server.admin_token: required when server.host is ${parsed.server.host} (not loopback); set PIPERELAY_ADMIN_TOKEN`,
    );
  }
  const masterKey =
    parsed.security.master_key === "" ? undefined : decodeMasterKey(parsed.security.master_key);
  if (!masterKey && !localMode) {
    throw new ConfigError(
      `security.master_key: required when server.host is ${parsed.server.host} (not loopback); set PIPERELAY_MASTER_KEY to 32 random bytes, e.g. openssl rand -base64 32`,
    );
  }
  return {
    ...parsed,
    delivery: {
      ...parsed.delivery,
      max_attempts: parsed.delivery.max_attempts ?? parsed.delivery.retry_schedule.length + 1,
    },
    adminToken,
    localMode,
    keys: deriveKeys(masterKey ?? insecureDevelopmentMasterKey),
    insecureMasterKey: masterKey === undefined,
  };
}

/**
 * The configuration of a service process: piperelay.yaml in the working
 * directory (or the file PIPERELAY_CONFIG names, which must then exist) and the
 * environment.
 */
export function loadConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): Config {
  const named = env.PIPERELAY_CONFIG;
  return loadConfig({ file: named ?? "piperelay.yaml", fileRequired: named !== undefined, env });
}
