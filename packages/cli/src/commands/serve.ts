import cluster from "node:cluster";
import { adminComponent } from "@piperelay/admin";
import type { Config } from "@piperelay/config";
import type { Logger } from "@piperelay/core";
import { ensureDatabase, migrateUp } from "@piperelay/db";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import { type ComponentFactory, createServiceLogger, serveProcesses } from "@piperelay/runtime";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";
import {
  type LocalService,
  natsHelp,
  reachable,
  startEmbeddedPostgres,
  startLocalNats,
} from "../local-infra.js";

const components: Record<string, ComponentFactory> = {
  ingest: ingestComponent,
  dispatcher: dispatcherComponent,
  admin: adminComponent,
};

/**
 * Local mode (listening on loopback) makes a first run work with nothing set
 * up: it starts PostgreSQL and NATS when none answer, creates and migrates the
 * database. Production processes (non-loopback) expect both to exist and the
 * schema to be migrated by `piperelay migrate up`.
 */
async function prepareLocal(config: Config, logger: Logger): Promise<LocalService[]> {
  const started: LocalService[] = [];
  if (!(await reachable(config.storage.postgres.url, 5432))) {
    const pg = await startEmbeddedPostgres(logger);
    config.storage.postgres.url = pg.url;
    started.push(pg);
  }
  await ensureDatabase(config.storage.postgres.url);
  const applied = await migrateUp(config.storage.postgres.url);
  if (applied.length > 0) logger.info({ applied }, "database migrated");
  if (!(await reachable(config.queue.nats_url, 4222))) {
    const nats = await startLocalNats(config.queue.nats_url, logger);
    if (!nats) throw new Error(natsHelp);
    started.push(nats);
  }
  return started;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run PipeRelay: all services in one process, or one of ingest, dispatcher, admin")
    .argument("[service]", "ingest | dispatcher | admin | all", "all")
    .action(async (service: string, _options: unknown, command: Command) => {
      const factories = service === "all" ? Object.values(components) : [components[service]];
      if (factories.some((f) => f === undefined)) {
        command.error(`unknown service ${JSON.stringify(service)}: use ingest, dispatcher, admin or all`);
      }
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const name = service === "all" ? "piperelay" : service;
      const logger = createServiceLogger(name, config);
      // With several processes, only the primary prepares local mode; the workers it forks
      // are told where PostgreSQL and NATS ended up.
      const local = config.localMode && cluster.isPrimary ? await prepareLocal(config, logger) : [];
      await serveProcesses(name, config, factories as ComponentFactory[], {
        logger,
        workerEnv: { DATABASE_URL: config.storage.postgres.url, NATS_URL: config.queue.nats_url },
        onStopped: async () => {
          for (const svc of local.reverse()) await svc.stop();
        },
      });
    });
}
