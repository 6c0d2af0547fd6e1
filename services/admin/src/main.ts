// The admin service on its own: `node services/admin/dist/main.mjs` (or `piperelay serve admin`).
import { loadConfigFromEnvironment } from "@piperelay/config";
import { serveProcesses } from "@piperelay/runtime";
import { adminComponent } from "./admin-component.js";

await serveProcesses("admin", loadConfigFromEnvironment(), [adminComponent]);
