export type { EgressPolicy } from "./address-policy.js";
export { blockedAddressReason, parseCidrs } from "./address-policy.js";
export { BlockedTargetError, guardedLookup } from "./guarded-lookup.js";
export type { TargetUrlOptions } from "./target-url.js";
export { targetUrlProblem } from "./target-url.js";
