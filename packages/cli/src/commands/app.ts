import { createApplicationRecord, listApplicationRecords } from "@piperelay/admin";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";
import { withDatabase } from "../with-connections.js";

export function registerApp(program: Command): void {
  const app = program.command("app").description("manage applications");

  app
    .command("create")
    .description("create an application and print its API key (shown only once)")
    .requiredOption("--name <name>", "display name")
    .action(async (options: { name: string }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const created = await withDatabase(config, (db) =>
        createApplicationRecord(db.prisma, options.name, config.keys.apiKeyPepper),
      );
      console.log(`id:      ${created.id}\nname:    ${created.name}\napi_key: ${created.apiKey}`);
    });

  app
    .command("list")
    .description("list applications")
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const apps = await withDatabase(config, (db) => listApplicationRecords(db.prisma));
      if (apps.length === 0) console.log("no applications yet: piperelay app create --name <name>");
      for (const a of apps) console.log(`${a.id}  ${a.createdAt.toISOString()}  ${a.name}`);
    });
}
