import { ensureDatabase, migrateDown, migrateUp, migrationStatus } from "@piperelay/db";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";

export function registerMigrate(program: Command): void {
  const migrate = program.command("migrate").description("apply or revert database migrations");
  const url = (command: Command) => configFrom(command.optsWithGlobals<GlobalOptions>()).storage.postgres.url;

  migrate
    .command("up")
    .description("create the database if missing and apply every pending migration")
    .action(async (_options: unknown, command: Command) => {
      const target = url(command);
      await ensureDatabase(target);
      const applied = await migrateUp(target);
      console.log(applied.length ? `applied ${applied.join(", ")}` : "already up to date");
    });

  migrate
    .command("down")
    .description("revert the most recent migrations")
    .option("--steps <n>", "how many to revert", "1")
    .action(async (options: { steps: string }, command: Command) => {
      const steps = Number(options.steps);
      if (!Number.isInteger(steps) || steps < 1) command.error("--steps must be a positive whole number");
      const reverted = await migrateDown(url(command), steps);
      console.log(reverted.length ? `reverted ${reverted.join(", ")}` : "nothing to revert");
    });

  migrate
    .command("status")
    .description("list migrations and whether each is applied")
    .action(async (_options: unknown, command: Command) => {
      for (const m of await migrationStatus(url(command))) {
        console.log(
          `${m.version}  ${m.name.padEnd(24)} ${m.appliedAt ? `applied ${m.appliedAt.toISOString()}` : "pending"}`,
        );
      }
    });
}
