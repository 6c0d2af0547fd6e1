import pg from "pg";
import { Prisma } from "./gen/prisma/client.js";

/**
 * PostgreSQL's SQLSTATE for a failed query (`23505`, `55P03`, …), or undefined.
 * Prisma reports raw statements' failures as P2010 with the driver's error in
 * `meta.driverAdapterError`, and model queries' with codes of its own;
 * statements sent through the pool directly fail with pg's DatabaseError.
 */
export function postgresErrorCode(error: unknown): string | undefined {
  if (error instanceof pg.DatabaseError) return error.code;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === "string" ? code : undefined;
}

/** Whether a query failed on a unique index, as a model query (P2002) or a raw statement (23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
    postgresErrorCode(error) === "23505"
  );
}
