// The ingest service on its own: `node dist/ingest.mjs` (or `piperelay serve ingest`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { startProcess } from "@piperelay/runtime";
import { ingestComponent } from "./ingest-component.js";

await startProcess("ingest", loadConfigFromEnvironment(), [ingestComponent]);
