import cluster from "node:cluster";
import type { Config } from "@piperelay/config";
import { createLogger, type Logger } from "@piperelay/core";
import {
  createMetricsRegistry,
  metricsEndpoint,
  type Registry,
  workerMetricsEndpoint,
} from "@piperelay/metrics";
import { HealthService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { shutdownTelemetry } from "@piperelay/telemetry";
import { type RunningApi, startApi } from "./api.js";
import { type Clients, openClients } from "./clients.js";
import type { Component, ComponentFactory } from "./component.js";
import { dependencyChecks } from "./dependency-checks.js";
import { createHealthCheckService } from "./health-check-service.js";
import { stopOnSignal } from "./shutdown.js";

/** A service's logger, as its configuration asks: every line names the service. */
export function createServiceLogger(name: string, config: Config): Logger {
  return createLogger({
    level: config.logging.level,
    format: config.logging.format,
    base: { service: name },
  });
}

export interface RunningProcess {
  logger: Logger;
  clients: Clients;
  /** The process's Prometheus registry, which its components' metrics are in. */
  metrics: Registry;
  /** The API's port: RPCs, health and `/metrics`. */
  port: number;
  stop(): Promise<void>;
}

export interface StartProcessOptions {
  /** Exit on SIGTERM/SIGINT after a graceful stop. @defaultValue true */
  handleSignals?: boolean;
  logger?: Logger;
}

/**
 * Starts a PipeRelay process from components: connects to PostgreSQL and NATS,
 * serves the components' RPCs, the health checks and `/metrics` on one port
 * (a dispatcher alone serves just the last two), then starts their background
 * work. Stopping goes the other way: fail readiness, stop taking requests, let
 * components finish in-flight work, then close the connections.
 */
export async function startProcess(
  name: string,
  config: Config,
  factories: ComponentFactory[],
  options: StartProcessOptions = {},
): Promise<RunningProcess> {
  const logger = options.logger ?? createServiceLogger(name, config);
  if (config.insecureMasterKey) {
    logger.warn(
      "no master key set (PIPERELAY_MASTER_KEY): endpoint secrets and API key hashes are protected by a public development key; allowed on loopback only",
    );
  }
  const clients = await openClients(config, `piperelay-${name}`);
  const metrics = createMetricsRegistry();
  const components: Component[] = [];
  let api: RunningApi | undefined;
  let stopping = false;
  try {
    for (const factory of factories) components.push(await factory({ config, logger, clients, metrics }));
    const parts = components.flatMap((c) => c.parts ?? []);
    const health = createHealthCheckService(dependencyChecks(clients), { isStopping: () => stopping });
    parts.push(servicePart(HealthService, health));
    const fallbacks = components.flatMap((c) => (c.httpFallback ? [c.httpFallback] : []));
    const sessionChecks = components.flatMap((c) => (c.isAdminSession ? [c.isAdminSession] : []));
    api = await startApi(config, parts, clients.database.prisma, logger, {
      fallback: fallbacks.length === 0 ? undefined : (req, res) => fallbacks.some((f) => f(req, res)),
      isAdminSession:
        sessionChecks.length === 0 ? undefined : (header) => sessionChecks.some((check) => check(header)),
      metrics: !config.metrics.enabled
        ? undefined
        : cluster.isWorker
          ? workerMetricsEndpoint(metrics)
          : metricsEndpoint(metrics),
    });
    for (const component of components) await component.start?.();
  } catch (error) {
    await api?.close();
    await clients.close();
    throw error;
  }
  const port = api.port;

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        // Readiness fails from here on, for the requests still answered while the API closes.
        stopping = true;
        await api?.close();
        for (const component of [...components].reverse()) await component.stop?.();
        await clients.close();
        logger.info("stopped");
      } finally {
        // Last, so the spans of the work finished while stopping are exported too.
        await shutdownTelemetry();
      }
    })();
    return stopped;
  };
  if (options.handleSignals ?? true) stopOnSignal(logger, stop);
  return { logger, clients, metrics, port, stop };
}
