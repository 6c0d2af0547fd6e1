import { parseCidrs } from "@piperelay/egress";
import { createDeliveryPublisher, prepareQueue } from "@piperelay/queue";
import type { ComponentFactory } from "@piperelay/runtime";
import { createAdminParts } from "./admin-parts.js";
import { createDashboard } from "./dashboard/dashboard-handler.js";
import { findDashboardBuild } from "./dashboard/static-files.js";
import { encryptStoredSecrets } from "./encrypt-stored-secrets.js";

/**
 * The admin service: management and query RPCs (it publishes the deliveries
 * that retries and test events queue) and, unless `dashboard.enabled` is
 * false, the dashboard at `dashboard.path` on the same port.
 */
export const adminComponent: ComponentFactory = async ({ config, logger, clients }) => {
  const { nc, names, database } = clients;
  await prepareQueue(database.prisma, nc, names, { deliveryTimeoutMs: config.delivery.timeout });
  const onPublishError = (err: unknown) =>
    logger.warn({ err }, "could not publish requeued deliveries; the outbox relay will publish them");
  const publisher = createDeliveryPublisher({ nc, pool: database.pool, names, onPublishError });
  const buildDir = config.dashboard.enabled ? findDashboardBuild() : undefined;
  if (config.dashboard.enabled && buildDir === undefined) {
    logger.warn({ path: config.dashboard.path }, "the dashboard is not built (web/dist); run npm run build");
  }
  const dashboard = config.dashboard.enabled
    ? createDashboard({
        path: config.dashboard.path,
        adminToken: config.adminToken,
        openAdmin: config.adminToken === undefined && config.localMode,
        buildDir,
      })
    : undefined;
  return {
    name: "admin",
    httpFallback: dashboard?.handle,
    isAdminSession: dashboard?.isAdminSession,
    // Endpoints from before secrets were encrypted: encrypt them once the service is up. Not under
    // the public development key, which protects nothing and would tie them to it; not fatal either,
    // since secrets in clear keep working.
    async start() {
      if (config.insecureMasterKey) return;
      await encryptStoredSecrets(database.prisma, config.keys.endpointSecrets).then(
        (count) => {
          if (count > 0) logger.info({ endpoints: count }, "encrypted endpoint secrets stored in clear");
        },
        (err: unknown) =>
          logger.warn({ err }, "could not encrypt endpoint secrets stored in clear; will try at next start"),
      );
    },
    parts: createAdminParts({
      prisma: database.prisma,
      publisher,
      onPublishError,
      secretOverlapMs: config.delivery.secret_overlap,
      secretKey: config.keys.endpointSecrets,
      apiKeyPepper: config.keys.apiKeyPepper,
      targets: {
        allowPrivate: config.delivery.allow_private_targets,
        allowedCidrs: parseCidrs(config.delivery.allowed_cidrs),
        httpsOnly: config.delivery.https_only,
      },
    }),
  };
};
