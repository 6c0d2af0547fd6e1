// Telemetry for the admin service, loaded before it: `node --import ./services/admin/dist/instrumentation.mjs
// services/admin/dist/main.mjs`. Starts OpenTelemetry when the OTEL_* variables ask for traces (see
// docs/observability.md) and does nothing otherwise; the process shuts it down last when it stops.
import { startTelemetry } from "@piperelay/telemetry";

await startTelemetry({ serviceName: "piperelay-admin" });
