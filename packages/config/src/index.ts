export { parseDuration, parseSize } from "./duration.js";
export type { Config, LoadConfigOptions } from "./load-config.js";
export { ConfigError, loadConfig, loadConfigFromEnvironment } from "./load-config.js";
export type { DerivedKeys } from "./master-key.js";
export { decodeMasterKey, deriveKeys, insecureDevelopmentMasterKey } from "./master-key.js";
export type { RawConfig } from "./schema.js";
export { configSchema } from "./schema.js";
