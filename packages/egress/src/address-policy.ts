import ipaddr from "ipaddr.js";

/** Which delivery targets are allowed. */
export interface EgressPolicy {
  /** Allow loopback, private, link-local and other internal addresses (development and tests). */
  allowPrivate: boolean;
  /** Internal ranges allowed even when `allowPrivate` is false, e.g. `10.1.2.0/24`. */
  allowedCidrs: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

/** Parses CIDR strings; throws naming the bad entry. */
export function parseCidrs(cidrs: readonly string[]): EgressPolicy["allowedCidrs"] {
  return cidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new Error(`${JSON.stringify(cidr)} is not a CIDR range such as 10.0.0.0/8 or fd00::/8`);
    }
  });
}

// Everything ipaddr.js classifies as something other than public unicast.
const publicRanges = new Set(["unicast", "global"]);

/**
 * Why delivering to `address` is not allowed, or undefined when it is.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry, so
 * `::ffff:127.0.0.1` is loopback.
 */
export function blockedAddressReason(address: string, policy: EgressPolicy): string | undefined {
  if (policy.allowPrivate) return undefined;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `${address} is not an IP address`;
  }
  const range = parsed.range();
  if (publicRanges.has(range)) return undefined;
  const allowed = policy.allowedCidrs.some(
    ([net, bits]) => net.kind() === parsed.kind() && parsed.match(net as never, bits),
  );
  if (allowed) return undefined;
  return `${address} is a ${range} address; deliveries to internal addresses are blocked (see delivery.allow_private_targets)`;
}
