export { adminComponent } from "./admin-component.js";
export type { AdminDeps } from "./admin-parts.js";
export { createAdminParts } from "./admin-parts.js";
export type { ApplicationRecord, ApplicationSummary } from "./application-records.js";
export { createApplicationRecord, listApplicationRecords } from "./application-records.js";
export type { RequeueDeps, RequeueFilter, RequeueResult } from "./requeue-failed.js";
export { requeueFailedDeliveries } from "./requeue-failed.js";
export type { Stats } from "./stats.js";
export { computeStats } from "./stats.js";
