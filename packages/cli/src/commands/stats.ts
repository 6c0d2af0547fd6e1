import { computeStats } from "@piperelay/admin";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";
import { withDatabase } from "../with-connections.js";

export function registerStats(program: Command): void {
  program
    .command("stats")
    .description("print delivery statistics")
    .option("--app-id <id>", "only this application")
    .action(async (options: { appId?: string }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const stats = await withDatabase(config, (db) => computeStats(db.prisma, options.appId));
      const rows: [string, string | number][] = [
        ["messages today", stats.messagesToday],
        ["messages this week", stats.messagesThisWeek],
        ["messages this month", stats.messagesThisMonth],
        ["deliveries succeeded", stats.deliveriesSucceeded],
        ["deliveries failed", stats.deliveriesFailed],
        ["deliveries pending", stats.deliveriesPending],
        ["success rate", `${(stats.successRate * 100).toFixed(1)}%`],
        ["avg latency (24h)", `${stats.avgLatencyMs.toFixed(0)} ms`],
        ["p95 latency (24h)", `${stats.p95LatencyMs.toFixed(0)} ms`],
        ["active endpoints", stats.activeEndpoints],
      ];
      for (const [label, value] of rows) console.log(`${label.padEnd(22)} ${value}`);
    });
}
