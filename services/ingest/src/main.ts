// The ingest service on its own: `node services/ingest/dist/main.mjs` (or `piperelay serve ingest`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { serveProcesses } from "@piperelay/runtime";
import { ingestComponent } from "./ingest-component.js";

await serveProcesses("ingest", loadConfigFromEnvironment(), [ingestComponent]);
