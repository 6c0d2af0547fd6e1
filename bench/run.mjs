// `npm run bench [-- options]`: bundles the benchmark and the three service
// entry points (services/<name>/src/main.ts, bundled exactly as
// scripts/build.mjs bundles them) into bench/dist, then runs the benchmark.
// Building private copies keeps one run on one version of the code even while
// tests elsewhere rebuild services/*/dist. See docs/performance.md.
import { mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const entries = [
  { in: "bench/src/main.ts", out: "bench/dist/bench" },
  { in: "bench/src/receiver/receiver-process.ts", out: "bench/dist/receiver" },
  { in: "bench/src/ceilings/rpc-server.ts", out: "bench/dist/rpc-server" },
  { in: "services/ingest/src/main.ts", out: "bench/dist/services/ingest" },
  { in: "services/dispatcher/src/main.ts", out: "bench/dist/services/dispatcher" },
  { in: "services/admin/src/main.ts", out: "bench/dist/services/admin" },
];

const externalDependencies = {
  name: "external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@piperelay/") ? undefined : { path: args.path, external: true },
    );
  },
};

// `summarize` and `report` read what an earlier run left in bench/dist (its profiles,
// partial.json): only a benchmark run starts from an empty folder.
if (!["summarize", "report"].includes(process.argv[2] ?? ""))
  rmSync("bench/dist", { recursive: true, force: true });
mkdirSync("bench/dist", { recursive: true });
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
await import(resolve(root, "bench/dist/bench.mjs"));
