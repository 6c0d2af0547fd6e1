// `npm run build`: bundles the `piperelay` CLI and each service's main with
// esbuild, into the dist/ folder of its own package. Workspace packages
// (TypeScript sources) are bundled in; everything from node_modules stays
// external and is resolved at run time from the bundle's package, which is why
// each bundle lives inside its package.
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

const entries = [
  { in: "packages/cli/src/main.ts", out: "packages/cli/dist/piperelay" },
  { in: "services/ingest/src/main.ts", out: "services/ingest/dist/main" },
  { in: "services/dispatcher/src/main.ts", out: "services/dispatcher/dist/main" },
  { in: "services/admin/src/main.ts", out: "services/admin/dist/main" },
  // OpenTelemetry set-up, loaded before each of the above with `node --import`.
  { in: "packages/cli/src/instrumentation.ts", out: "packages/cli/dist/instrumentation" },
  { in: "services/ingest/src/instrumentation.ts", out: "services/ingest/dist/instrumentation" },
  { in: "services/dispatcher/src/instrumentation.ts", out: "services/dispatcher/dist/instrumentation" },
  { in: "services/admin/src/instrumentation.ts", out: "services/admin/dist/instrumentation" },
];

const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@piperelay/") ? undefined : { path: args.path, external: true },
    );
  },
};

for (const entry of entries) rmSync(entry.out.replace(/\/[^/]+$/, ""), { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir: ".",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  plugins: [externalDependencies],
});
// The CLI runs migrations; the runner looks for the SQL files beside the bundle.
cpSync("packages/db/migrations", "packages/cli/dist/migrations", { recursive: true });
