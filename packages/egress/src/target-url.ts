import { isIP } from "node:net";
import { blockedAddressReason, type EgressPolicy } from "./address-policy.js";

export interface TargetUrlOptions extends EgressPolicy {
  /** Refuse plain http (production). */
  httpsOnly: boolean;
}

const maxUrlLength = 2048;

/**
 * Why `url` cannot be a delivery target, or undefined. Checks what can be
 * known without DNS: scheme, credentials, literal internal IPs (in any form the
 * URL parser accepts: decimal, hex, IPv4-mapped IPv6) and `localhost` names.
 * Names that resolve to internal addresses are caught when connecting.
 */
export function targetUrlProblem(url: string, options: TargetUrlOptions): string | undefined {
  if (url.length === 0) return "is required";
  if (url.length > maxUrlLength) return `must be at most ${maxUrlLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute http or https URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must use http or https";
  if (options.httpsOnly && parsed.protocol !== "https:") return "must use https (delivery.https_only is on)";
  if (parsed.username || parsed.password) return "must not contain credentials; use the endpoint secret";
  if (options.allowPrivate) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return blockedAddressReason(host, options);
  const lower = host.toLowerCase().replace(/\.$/, "");
  if (lower === "localhost" || lower.endsWith(".localhost")) {
    return "points at localhost; deliveries to internal addresses are blocked (see delivery.allow_private_targets)";
  }
  return undefined;
}
