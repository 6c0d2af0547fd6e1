import { apiKeyColumns, generateApiKey } from "@piperelay/api-keys";
import { newId } from "@piperelay/core";
import {
  type Application as ApplicationRow,
  type PrismaClient,
  retryPolicyColumn,
  type StoredRetryPolicy,
} from "@piperelay/db";
import { fail } from "@piperelay/rpc";

/** The longest application name accepted. */
export const maxApplicationNameLength = 200;

/** A newly created application as the CLI shows it; `apiKey` is shown this once. */
export interface ApplicationRecord {
  id: string;
  name: string;
  apiKey: string;
  createdAt: Date;
}

/** An application in a listing: its key only as the stored preview. */
export interface ApplicationSummary {
  id: string;
  name: string;
  apiKeyPreview: string;
  createdAt: Date;
}

/** The name trimmed, or invalid_argument when it is empty or longer than {@link maxApplicationNameLength}. */
export function normalizeApplicationName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) fail({ outcome: "invalid_argument", field: "name", reason: "is required" });
  if (trimmed.length > maxApplicationNameLength) {
    fail({
      outcome: "invalid_argument",
      field: "name",
      reason: `must be at most ${maxApplicationNameLength} characters`,
    });
  }
  return trimmed;
}

/**
 * Stores a new application with a fresh key (only its salted hash, peppered
 * with `apiKeyPepper`, its look-up id and preview are kept); returns the row and the key.
 */
export async function insertApplication(
  prisma: PrismaClient,
  name: string,
  apiKeyPepper: Uint8Array,
  retryPolicy: StoredRetryPolicy | null = null,
): Promise<{ row: ApplicationRow; apiKey: string }> {
  const apiKey = generateApiKey();
  const row = await prisma.application.create({
    data: {
      id: newId("app"),
      name: normalizeApplicationName(name),
      ...apiKeyColumns(apiKey, apiKeyPepper),
      retryPolicy: retryPolicyColumn(retryPolicy),
    },
  });
  return { row, apiKey };
}

/**
 * Creates an application for `piperelay app create`. Throws a FailureError
 * (invalid_argument) for a bad name.
 */
export async function createApplicationRecord(
  prisma: PrismaClient,
  name: string,
  apiKeyPepper: Uint8Array,
): Promise<ApplicationRecord> {
  const { row, apiKey } = await insertApplication(prisma, name, apiKeyPepper);
  return { id: row.id, name: row.name, apiKey, createdAt: row.createdAt };
}

/** Every application, oldest first, for `piperelay app list`. */
export async function listApplicationRecords(prisma: PrismaClient): Promise<ApplicationSummary[]> {
  const rows = await prisma.application.findMany({
    orderBy: { id: "asc" },
    select: { id: true, name: true, apiKeyPrefix: true, createdAt: true },
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    apiKeyPreview: row.apiKeyPrefix,
    createdAt: row.createdAt,
  }));
}
