import { adminComponent } from "@piperelay/admin";
import { type Config, loadConfig } from "@piperelay/config";
import { createLogger, type DestinationStream } from "@piperelay/core";
import { dispatcherComponent } from "@piperelay/dispatcher";
import { ingestComponent } from "@piperelay/ingest";
import { type ComponentFactory, type RunningProcess, startProcess } from "@piperelay/runtime";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { deleteTestStream, testPrefix } from "./nats.js";
import { natsUrl } from "./urls.js";

export interface TestStack {
  config: Config;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  process: RunningProcess;
  database: TestDatabase;
  /** Starts another process (e.g. a second dispatcher) on the same database and NATS prefix. */
  startAnother(components: ComponentFactory[], env?: Record<string, string>): Promise<RunningProcess>;
  stop(): Promise<void>;
}

export const allComponents: ComponentFactory[] = [ingestComponent, dispatcherComponent, adminComponent];

/**
 * The master key of test stacks (32 bytes, base64): a real key rather than the
 * development fallback, and the same for every process of a test, which must agree.
 */
export const testMasterKey = Buffer.from("piperelay test master key 32 byt").toString("base64");

/** Environment for a PipeRelay process on this test's own database and NATS prefix. */
export function stackEnv(database: TestDatabase, prefix: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: database.url,
    NATS_URL: natsUrl(),
    PIPERELAY_NATS_PREFIX: prefix,
    PIPERELAY_PORT: "0",
    PIPERELAY_MASTER_KEY: testMasterKey,
    PIPERELAY_RETRY_SCHEDULE: "1s,2s",
    PIPERELAY_DELIVERY_TIMEOUT: "5s",
    // Test files run side by side on one PostgreSQL; keep each process's share small.
    PIPERELAY_STORAGE_POSTGRES_MAX_CONNECTIONS: "8",
    PIPERELAY_QUEUE_POLL_INTERVAL: "200ms",
    // Test receivers listen on loopback.
    PIPERELAY_ALLOW_PRIVATE_TARGETS: "true",
    PIPERELAY_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...extra,
  };
}

export interface StackOptions {
  /** Where the processes' JSON log lines go (set PIPERELAY_LOG_LEVEL too). @defaultValue standard output */
  logDestination?: DestinationStream;
}

/**
 * The whole PipeRelay stack in this test process, as `piperelay serve` runs it,
 * on a fresh database and a NATS prefix of its own.
 */
export async function startStack(
  env: Record<string, string> = {},
  components: ComponentFactory[] = allComponents,
  options: StackOptions = {},
): Promise<TestStack> {
  const database = await createTestDatabase();
  const prefix = testPrefix();
  const processes: RunningProcess[] = [];
  const start = async (factories: ComponentFactory[], extra: Record<string, string>) => {
    const config = loadConfig({ env: stackEnv(database, prefix, { ...env, ...extra }) });
    const running = await startProcess("test", config, factories, {
      handleSignals: false,
      logger: createLogger({ level: config.logging.level, destination: options.logDestination }),
    });
    processes.push(running);
    return { config, running };
  };
  const first = await start(components, {});
  return {
    config: first.config,
    baseUrl: `http://127.0.0.1:${first.running.port}`,
    process: first.running,
    database,
    startAnother: async (factories, extra = {}) => (await start(factories, extra)).running,
    async stop() {
      for (const p of processes.reverse()) await p.stop().catch(() => {});
      // Only once the processes are gone: a dispatcher that sees its stream deleted makes it again.
      await deleteTestStream(first.running.clients.names).catch(() => {});
      await database.drop();
    },
  };
}
