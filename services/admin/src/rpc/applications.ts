import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { apiKeyColumns, generateApiKey } from "@piperelay/api-keys";
import { type PrismaClient, retryPolicyColumn } from "@piperelay/db";
import {
  type ApplicationService,
  CreateApplicationResponseSchema,
  DeleteApplicationResponseSchema,
  GetApplicationResponseSchema,
  ListApplicationsResponseSchema,
  RotateApplicationKeyResponseSchema,
  UpdateApplicationResponseSchema,
} from "@piperelay/proto";
import { insertApplication, normalizeApplicationName } from "../application-records.js";
import { decodeCursor } from "../cursor.js";
import { pageSize, takePage } from "../page.js";
import { isRecordNotFound, notFound, requireId } from "../request-id.js";
import { validateRetryPolicy } from "../retry-policy-input.js";
import { applicationToProto } from "../to-proto.js";

export interface ApplicationServiceDeps {
  prisma: PrismaClient;
  /** Mixed into stored key hashes (`config.keys.apiKeyPepper`). */
  apiKeyPepper: Uint8Array;
}

/**
 * ApplicationService: tenants and their API keys. The auth interceptor admits
 * only the admin here, so nothing is scoped to a caller. Keys are returned by
 * Create and RotateKey only; PipeRelay keeps just a salted, peppered hash.
 */
export function createApplicationService(
  deps: ApplicationServiceDeps,
): ServiceImpl<typeof ApplicationService> {
  const { prisma, apiKeyPepper } = deps;
  return {
    async createApplication(req) {
      const { row, apiKey } = await insertApplication(
        prisma,
        req.name,
        apiKeyPepper,
        validateRetryPolicy(req.retryPolicy),
      );
      return create(CreateApplicationResponseSchema, { application: applicationToProto(row, apiKey) });
    },

    async listApplications(req) {
      const size = pageSize(req.limit);
      const after = decodeCursor(req.cursor, "app");
      const rows = await prisma.application.findMany({
        where: after === undefined ? {} : { id: { gt: after } },
        orderBy: { id: "asc" },
        take: size + 1,
      });
      const page = takePage(rows, size);
      return create(ListApplicationsResponseSchema, {
        applications: page.items.map((row) => applicationToProto(row)),
        nextCursor: page.nextCursor,
      });
    },

    async getApplication(req) {
      const id = requireId(req.id, "app", "application");
      const row = (await prisma.application.findUnique({ where: { id } })) ?? notFound("application", id);
      return create(GetApplicationResponseSchema, { application: applicationToProto(row) });
    },

    async updateApplication(req) {
      const id = requireId(req.id, "app", "application");
      const name = normalizeApplicationName(req.name);
      const retryPolicy = validateRetryPolicy(req.retryPolicy);
      const row = await prisma.application
        .update({
          where: { id },
          data: { name, retryPolicy: retryPolicyColumn(retryPolicy), updatedAt: new Date() },
        })
        .catch((error: unknown) => {
          if (isRecordNotFound(error)) notFound("application", id);
          throw error;
        });
      return create(UpdateApplicationResponseSchema, { application: applicationToProto(row) });
    },

    async deleteApplication(req) {
      const id = requireId(req.id, "app", "application");
      // Endpoints, messages, deliveries and attempts go with it (ON DELETE CASCADE).
      await prisma.application.delete({ where: { id } }).catch((error: unknown) => {
        if (isRecordNotFound(error)) notFound("application", id);
        throw error;
      });
      return create(DeleteApplicationResponseSchema, { id, deleted: true });
    },

    async rotateApplicationKey(req) {
      const id = requireId(req.id, "app", "application");
      const apiKey = generateApiKey();
      const row = await prisma.application
        .update({
          where: { id },
          data: {
            ...apiKeyColumns(apiKey, apiKeyPepper),
            updatedAt: new Date(),
          },
        })
        .catch((error: unknown) => {
          if (isRecordNotFound(error)) notFound("application", id);
          throw error;
        });
      return create(RotateApplicationKeyResponseSchema, { application: applicationToProto(row, apiKey) });
    },
  };
}
