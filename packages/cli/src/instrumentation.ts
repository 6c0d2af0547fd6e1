// Telemetry for `piperelay serve`, loaded before the command: `node --import
// ./packages/cli/dist/instrumentation.mjs packages/cli/dist/piperelay.mjs serve`. Starts OpenTelemetry
// when the OTEL_* variables ask for traces (see docs/observability.md) and does nothing otherwise;
// the serving process shuts it down last when it stops.
import { startTelemetry } from "@piperelay/telemetry";

// `serve ingest` (and the others) report as that service; `serve` or `serve all` as the whole of PipeRelay.
const args = process.argv.slice(2);
const services = ["ingest", "dispatcher", "admin"];
const served = args.includes("serve")
  ? args.slice(args.indexOf("serve") + 1).find((arg) => services.includes(arg))
  : undefined;
const serviceName = served ? `piperelay-${served}` : "piperelay";

await startTelemetry({ serviceName });
