import { parseCidrs } from "@piperelay/egress";
import type { ComponentFactory } from "@piperelay/runtime";
import { createDispatcher } from "./dispatcher.js";

/** The dispatcher service: makes delivery attempts and runs the outbox relay. Serves no RPCs (its port has health and metrics only). */
export const dispatcherComponent: ComponentFactory = ({ config, logger, clients, metrics }) => {
  const dispatcher = createDispatcher({
    prisma: clients.database.prisma,
    pool: clients.database.pool,
    nc: clients.nc,
    names: clients.names,
    logger,
    workers: config.delivery.workers,
    timeoutMs: config.delivery.timeout,
    policy: { schedule: config.delivery.retry_schedule, maxAttempts: config.delivery.max_attempts },
    nakMaxDelayMs: config.queue.nak_max_delay,
    pollIntervalMs: config.queue.poll_interval,
    circuitCooldownMs: config.delivery.circuit_cooldown,
    endpointHealth: {
      disableAfterMs: config.delivery.disable_after,
      operationalWebhookUrl: config.delivery.operational_webhook_url,
    },
    secretKey: config.keys.endpointSecrets,
    metrics,
    retention: { messageTtlMs: config.retention.message_ttl, attemptTtlMs: config.retention.attempt_ttl },
    egress: {
      allowPrivate: config.delivery.allow_private_targets,
      allowedCidrs: parseCidrs(config.delivery.allowed_cidrs),
    },
  });
  return { name: "dispatcher", start: () => dispatcher.start(), stop: () => dispatcher.stop() };
};
