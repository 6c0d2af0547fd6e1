import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { blockedAddressReason, type EgressPolicy } from "./address-policy.js";

/** Raised when a delivery target resolves only to addresses the policy blocks. */
export class BlockedTargetError extends Error {
  readonly code = "EBLOCKEDTARGET";
  constructor(message: string) {
    super(message);
    this.name = "BlockedTargetError";
  }
}

type Resolver = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for net.connect that resolves the host and connects only to an
 * allowed address. Checking the addresses actually connected to (not a
 * resolution done earlier) defeats DNS rebinding.
 */
export function guardedLookup(
  policy: EgressPolicy,
  resolve: Resolver = dnsLookup as unknown as Resolver,
): LookupFunction {
  return (hostname, options, callback) => {
    const family = typeof options === "object" && options !== null ? options.family : undefined;
    resolve(
      hostname,
      { all: true, family: typeof family === "number" ? family : undefined },
      (err, addresses) => {
        if (err) {
          callback(err, "", 0);
          return;
        }
        const allowed = addresses.find((a) => blockedAddressReason(a.address, policy) === undefined);
        if (!allowed) {
          const first = addresses[0]?.address ?? "nothing";
          const reason = blockedAddressReason(first, policy) ?? "no address";
          callback(new BlockedTargetError(`${hostname} resolves to ${reason}`), "", 0);
          return;
        }
        if (typeof options === "object" && options !== null && "all" in options && options.all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [allowed]);
          return;
        }
        callback(null, allowed.address, allowed.family);
      },
    );
  };
}
