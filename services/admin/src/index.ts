export { createAdminParts } from "./admin-parts.js";
export type { AdminDeps } from "./admin-parts.js";
export { createApplicationRecord, listApplicationRecords } from "./application-records.js";
export type { ApplicationRecord, ApplicationSummary } from "./application-records.js";
export { requeueFailedDeliveries } from "./requeue-failed.js";
export type { RequeueDeps, RequeueFilter, RequeueResult } from "./requeue-failed.js";
export type { HealthCheck } from "./rpc/health.js";
export { computeStats } from "./stats.js";
export type { Stats } from "./stats.js";
