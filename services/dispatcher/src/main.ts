// The dispatcher service on its own: `node services/dispatcher/dist/main.mjs` (or `piperelay serve dispatcher`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { startProcess } from "@piperelay/runtime";
import { dispatcherComponent } from "./dispatcher-component.js";

await startProcess("dispatcher", loadConfigFromEnvironment(), [dispatcherComponent]);
