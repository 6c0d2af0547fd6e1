// The dispatcher service on its own: `node dist/dispatcher.mjs` (or `piperelay serve dispatcher`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { startProcess } from "@piperelay/runtime";
import { dispatcherComponent } from "./dispatcher-component.js";

await startProcess("dispatcher", loadConfigFromEnvironment(), [dispatcherComponent]);
