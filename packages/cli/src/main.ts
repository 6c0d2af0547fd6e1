// The `piperelay` command.

import { ConfigError } from "@piperelay/config";
import { version } from "@piperelay/core";
import { Command } from "commander";
import { registerApp } from "./commands/app.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerReplay } from "./commands/replay.js";
import { registerServe } from "./commands/serve.js";
import { registerStats } from "./commands/stats.js";
import { registerTestSend } from "./commands/test-send.js";

const program = new Command("piperelay")
  .description(
    "Reliable webhook delivery: stores events, delivers them signed, retries, and records every attempt.",
  )
  .option("-c, --config <file>", "config file (default: ./piperelay.yaml if present; env PIPERELAY_CONFIG)")
  .showHelpAfterError();

registerServe(program);
registerMigrate(program);
registerApp(program);
registerStats(program);
registerTestSend(program);
registerReplay(program);
program
  .command("version")
  .description("print the version")
  .action(() => console.log(`piperelay ${version}`));

try {
  await program.parseAsync();
} catch (error) {
  // Configuration and connection problems are the user's to fix: one clear line, no stack trace.
  const message = error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`;
  console.error(message);
  process.exit(1);
}
