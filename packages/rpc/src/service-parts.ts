import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";

/**
 * Some or all methods of one service. A process is assembled from parts: the
 * ingest component implements only `MessageService.SendMessage`, the admin
 * component the other `MessageService` methods, and an all-in-one process
 * registers both, merged by {@link mergeServiceParts}.
 */
export type ServicePart = {
  service: DescService;
  // biome-ignore lint/suspicious/noExplicitAny: parts of different services share one list; servicePart() checks each.
  implementation: Partial<ServiceImpl<any>>;
};

/** Builds a {@link ServicePart}, type-checking the implementation against the service. */
export function servicePart<T extends DescService>(
  service: T,
  implementation: Partial<ServiceImpl<T>>,
): ServicePart {
  return { service, implementation };
}

/**
 * Merges parts of the same service into one part per service, in the order
 * services first appear. Throws when two parts implement the same method, or a
 * part implements a method its service does not have: both are wiring mistakes
 * that would otherwise silently drop one implementation.
 */
export function mergeServiceParts(parts: readonly ServicePart[]): ServicePart[] {
  const merged = new Map<string, { service: DescService; implementation: Record<string, unknown> }>();
  for (const part of parts) {
    const typeName = part.service.typeName;
    let entry = merged.get(typeName);
    if (entry === undefined) {
      entry = { service: part.service, implementation: {} };
      merged.set(typeName, entry);
    }
    for (const [localName, impl] of Object.entries(part.implementation)) {
      if (impl === undefined) continue;
      const method = entry.service.methods.find((m) => m.localName === localName);
      if (method === undefined) {
        throw new Error(`${typeName} has no method "${localName}"`);
      }
      if (localName in entry.implementation) {
        throw new Error(`${typeName}/${method.name} is implemented by more than one service part`);
      }
      entry.implementation[localName] = impl;
    }
  }
  return [...merged.values()].map((entry) => ({
    service: entry.service,
    implementation: entry.implementation as Partial<ServiceImpl<DescService>>,
  }));
}
