// Telemetry for the dispatcher service, loaded before it: `node --import ./services/dispatcher/dist/instrumentation.mjs
// services/dispatcher/dist/main.mjs`. Starts OpenTelemetry when the OTEL_* variables ask for traces (see
// docs/observability.md) and does nothing otherwise; the process shuts it down last when it stops.
import { startTelemetry } from "@piperelay/telemetry";

await startTelemetry({ serviceName: "piperelay-dispatcher" });
