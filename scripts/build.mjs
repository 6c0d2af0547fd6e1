// `npm run build`: bundles the `piperelay` CLI and each service's main into dist/
// with esbuild. Workspace packages (TypeScript sources) are bundled in;
// everything from node_modules stays external and is loaded at run time.
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

const entries = [
  { in: "packages/cli/src/main.ts", out: "dist/piperelay" },
  { in: "services/ingest/src/main.ts", out: "dist/ingest" },
  { in: "services/dispatcher/src/main.ts", out: "dist/dispatcher" },
  { in: "services/admin/src/main.ts", out: "dist/admin" },
];

const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@piperelay/") ? undefined : { path: args.path, external: true },
    );
  },
};

rmSync("dist", { recursive: true, force: true });
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
// The migration runner looks for its SQL files beside the bundle.
cpSync("packages/db/migrations", "dist/migrations", { recursive: true });
