export { parseDuration, parseSize } from "./duration.js";
export type { Config, LoadConfigOptions } from "./load-config.js";
export { ConfigError, loadConfig, loadConfigFromEnvironment } from "./load-config.js";
export type { RawConfig } from "./schema.js";
export { configSchema } from "./schema.js";
