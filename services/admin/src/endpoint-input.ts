import { eventTypePatternProblem } from "@piperelay/core";
import type { StoredRetryPolicy } from "@piperelay/db";
import { type TargetUrlOptions, targetUrlProblem } from "@piperelay/egress";
import type { RetryPolicy } from "@piperelay/proto";
import { fail } from "@piperelay/rpc";
import { secretProblem } from "@piperelay/signing";
import { validateRetryPolicy } from "./retry-policy-input.js";

/** Limits on endpoint settings; the API documents the same numbers. */
export const endpointLimits = {
  urlLength: 2048,
  descriptionLength: 1000,
  eventTypes: 100,
  metadataKeys: 50,
  metadataKeyLength: 64,
  metadataValueLength: 1024,
} as const;

/** The settings fields CreateEndpoint and UpdateEndpoint share. */
export interface EndpointInput {
  url: string;
  description: string;
  eventTypes: readonly string[];
  rateLimit?: number | undefined;
  metadata: Readonly<Record<string, string>>;
  secret: string;
  isActive?: boolean | undefined;
  retryPolicy?: RetryPolicy | undefined;
}

/** Validated settings, ready to store; `secret` and `isActive` are undefined when not given. */
export interface EndpointSettings {
  url: string;
  description: string;
  eventTypes: string[];
  rateLimit: number | null;
  metadata: Record<string, string>;
  secret: string | undefined;
  isActive: boolean | undefined;
  /** null inherits the application's policy. */
  retryPolicy: StoredRetryPolicy | null;
}

/**
 * Checks every field and throws invalid_argument naming the first bad one.
 * `targets` decides which URLs are acceptable (schemes, internal addresses).
 */
export function validateEndpointInput(input: EndpointInput, targets: TargetUrlOptions): EndpointSettings {
  const url = input.url.trim();
  invalidIf("url", targetUrlProblem(url, targets));
  invalidIf(
    "description",
    input.description.length > endpointLimits.descriptionLength
      ? `must be at most ${endpointLimits.descriptionLength} characters`
      : undefined,
  );
  if (input.eventTypes.length > endpointLimits.eventTypes) {
    invalidIf("event_types", `must have at most ${endpointLimits.eventTypes} entries`);
  }
  input.eventTypes.forEach((pattern, index) => {
    invalidIf(`event_types[${index}]`, eventTypePatternProblem(pattern));
  });
  if (input.rateLimit !== undefined && input.rateLimit < 1) {
    invalidIf("rate_limit", "must be at least 1 when set (leave it unset for no limit)");
  }
  validateMetadata(input.metadata);
  const secret = input.secret === "" ? undefined : input.secret;
  if (secret !== undefined) invalidIf("secret", secretProblem(secret));
  return {
    url,
    description: input.description,
    eventTypes: [...new Set(input.eventTypes)],
    rateLimit: input.rateLimit ?? null,
    metadata: { ...input.metadata },
    secret,
    isActive: input.isActive,
    retryPolicy: validateRetryPolicy(input.retryPolicy),
  };
}

function validateMetadata(metadata: Readonly<Record<string, string>>): void {
  const entries = Object.entries(metadata);
  if (entries.length > endpointLimits.metadataKeys) {
    invalidIf("metadata", `must have at most ${endpointLimits.metadataKeys} keys`);
  }
  for (const [key, value] of entries) {
    if (key === "") invalidIf("metadata", "keys must not be empty");
    if (key.length > endpointLimits.metadataKeyLength) {
      invalidIf(
        "metadata",
        `key ${JSON.stringify(key.slice(0, 20))}… is longer than ${endpointLimits.metadataKeyLength} characters`,
      );
    }
    if (value.length > endpointLimits.metadataValueLength) {
      invalidIf(`metadata.${key}`, `must be at most ${endpointLimits.metadataValueLength} characters`);
    }
  }
}

function invalidIf(field: string, reason: string | undefined): void {
  if (reason !== undefined) fail({ outcome: "invalid_argument", field, reason });
}
