import { Prisma } from "./gen/prisma/client.js";

/**
 * PostgreSQL's SQLSTATE for a failed query (`55P03`, …), or undefined.
 * Prisma reports raw statements' failures as P2010 with the driver's error in
 * `meta.driverAdapterError`, and model queries' with codes of its own.
 */
export function postgresErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === "string" ? code : undefined;
}
