import { parseCidrs } from "@piperelay/egress";
import { createDeliveryPublisher, ensureTopology } from "@piperelay/queue";
import type { ComponentFactory } from "@piperelay/runtime";
import { createAdminParts } from "./admin-parts.js";

/** The admin service: management and query RPCs; publishes deliveries that RetryMessage requeues. */
export const adminComponent: ComponentFactory = async ({ config, logger, clients }) => {
  const { nc, names, database } = clients;
  await ensureTopology(nc, names, { deliveryTimeoutMs: config.delivery.timeout });
  const onPublishError = (err: unknown) =>
    logger.warn({ err }, "could not publish requeued deliveries; the outbox relay will publish them");
  const publisher = createDeliveryPublisher({ nc, prisma: database.prisma, names, onPublishError });
  return {
    name: "admin",
    parts: createAdminParts({
      prisma: database.prisma,
      publisher,
      onPublishError,
      targets: {
        allowPrivate: config.delivery.allow_private_targets,
        allowedCidrs: parseCidrs(config.delivery.allowed_cidrs),
        httpsOnly: config.delivery.https_only,
      },
    }),
  };
};
