// The dispatcher service on its own: `node services/dispatcher/dist/main.mjs` (or `piperelay serve dispatcher`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { serveProcesses } from "@piperelay/runtime";
import { dispatcherComponent } from "./dispatcher-component.js";

await serveProcesses("dispatcher", loadConfigFromEnvironment(), [dispatcherComponent]);
