import { requeueFailedDeliveries } from "@piperelay/admin";
import { parseDuration } from "@piperelay/config";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";
import { withPublisher } from "../with-connections.js";

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("re-queue failed deliveries of recent messages")
    .option("--since <duration>", "deliveries that failed within this long ago, e.g. 24h", "24h")
    .option("--status <status>", "which deliveries to replay (only failed is supported)", "failed")
    .option("--app-id <id>", "only this application")
    .action(async (options: { since: string; status: string; appId?: string }, command: Command) => {
      if (options.status !== "failed") command.error("--status: only 'failed' deliveries can be replayed");
      const window = parseDuration(options.since);
      if (window === undefined) command.error("--since must be a duration such as 30m, 24h or 7d");
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const since = new Date(Date.now() - window);
      const result = await withPublisher(config, (db, publisher) =>
        requeueFailedDeliveries({ prisma: db.prisma, publisher }, { since, applicationId: options.appId }),
      );
      console.log(`re-queued ${result.requeued} deliveries that failed since ${since.toISOString()}`);
    });
}
