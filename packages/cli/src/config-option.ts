import { type Config, loadConfig } from "@piperelay/config";

/** Options every command takes. */
export interface GlobalOptions {
  config?: string;
}

/** Loads piperelay.yaml (or --config / PIPERELAY_CONFIG, which must exist) plus the environment. */
export function configFrom(options: GlobalOptions, overrides?: Record<string, string>): Config {
  const named = options.config ?? process.env.PIPERELAY_CONFIG;
  return loadConfig({ file: named ?? "piperelay.yaml", fileRequired: named !== undefined, overrides });
}
