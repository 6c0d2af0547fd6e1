import type { Logger } from "@piperelay/core";
import type { PrismaClient } from "@piperelay/db";
import { request } from "undici";
import { endPark, releasePerSecond } from "./backlog-release.js";
import type { DisableKind, DispatcherMetrics } from "./dispatcher-metrics.js";

/** An operational event, POSTed as JSON to `delivery.operational_webhook_url`. */
export interface EndpointDisabledEvent {
  type: "endpoint.disabled";
  application_id: string;
  endpoint_id: string;
  url: string;
  reason: string;
  failing_since: string | null;
  timestamp: string;
}

export interface EndpointHealthOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** A run of failures this long disables the endpoint; 0 never does. */
  disableAfterMs: number;
  /** Empty for no operational events. */
  operationalWebhookUrl: string;
  /** Counts the endpoints this process disabled. */
  metrics?: Pick<DispatcherMetrics, "endpointDisabled">;
}

export interface AttemptedEndpoint {
  endpointId: string;
  applicationId: string;
  url: string;
  failingSince: Date | null;
  /** Whether its backlog is parked behind an open circuit; a success releases it. */
  circuitOpen?: boolean;
}

/**
 * Tracks each endpoint's run of failures (`endpoints.failing_since`) and
 * disables an endpoint that has failed for `disableAfterMs` without a single
 * success, or that answered 410 Gone, telling the owner with a log line and an
 * operational event.
 */
export function createEndpointHealth(options: EndpointHealthOptions) {
  const { prisma, logger } = options;

  async function notify(event: EndpointDisabledEvent): Promise<void> {
    if (!options.operationalWebhookUrl) return;
    try {
      const response = await request(options.operationalWebhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "PipeRelay" },
        body: JSON.stringify(event),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await response.body.dump();
    } catch (err) {
      logger.warn({ err, endpoint_id: event.endpoint_id }, "could not deliver the operational event");
    }
  }

  async function disable(endpoint: AttemptedEndpoint, kind: DisableKind, reason: string): Promise<void> {
    // Only the process whose UPDATE flips the flag reports it.
    const flipped = await prisma.$executeRaw`
      UPDATE endpoints SET is_active = false, updated_at = now() WHERE id = ${endpoint.endpointId} AND is_active`;
    if (flipped === 0) return;
    options.metrics?.endpointDisabled(kind);
    logger.warn(
      { endpoint_id: endpoint.endpointId, application_id: endpoint.applicationId, kind, reason },
      "endpoint disabled",
    );
    await notify({
      type: "endpoint.disabled",
      application_id: endpoint.applicationId,
      endpoint_id: endpoint.endpointId,
      url: endpoint.url,
      reason,
      failing_since: endpoint.failingSince?.toISOString() ?? null,
      timestamp: new Date().toISOString(),
    });
  }

  // Endpoints whose park this process is ending right now.
  const ending = new Set<string>();

  return {
    disable,
    /** Records the outcome of an attempt that reached (or tried to reach) the endpoint. */
    async recordOutcome(endpoint: AttemptedEndpoint, succeeded: boolean): Promise<void> {
      if (succeeded) {
        // Either may be set without the other: another dispatcher may have parked the backlog
        // after an earlier success cleared failing_since.
        // Several attempts may succeed at once as an endpoint comes back: one of them ends the
        // park, and the others leave it to that one rather than reschedule the backlog again.
        if (
          (endpoint.failingSince !== null || endpoint.circuitOpen === true) &&
          !ending.has(endpoint.endpointId)
        ) {
          ending.add(endpoint.endpointId);
          const started = performance.now();
          const released = await endPark(prisma, endpoint.endpointId).finally(() =>
            ending.delete(endpoint.endpointId),
          );
          if (released !== undefined) {
            logger.info(
              {
                endpoint_id: endpoint.endpointId,
                deliveries: released,
                per_second: releasePerSecond,
                duration_ms: Math.round(performance.now() - started),
              },
              "endpoint answered again: parked backlog released",
            );
          }
        }
        return;
      }
      const [row] = await prisma.$queryRaw<{ failing_since: Date }[]>`
        UPDATE endpoints SET failing_since = COALESCE(failing_since, now())
        WHERE id = ${endpoint.endpointId} RETURNING failing_since`;
      if (!row || options.disableAfterMs <= 0) return;
      if (Date.now() - row.failing_since.getTime() >= options.disableAfterMs) {
        const hours = Math.round(options.disableAfterMs / 3_600_000);
        await disable(
          { ...endpoint, failingSince: row.failing_since },
          "auto",
          `every attempt failed for ${hours >= 1 ? `${hours} h` : `${options.disableAfterMs} ms`}`,
        );
      }
    },
  };
}

export type EndpointHealth = ReturnType<typeof createEndpointHealth>;
