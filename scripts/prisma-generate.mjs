// Runs `prisma generate` for packages/db. Prisma's CLI insists on locating a
// schema-engine binary even though generation does not use it, and cannot
// download one on machines without internet access; any existing file satisfies
// the check, so point it at this script.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
execFileSync("npx", ["prisma", "generate", "--schema", "packages/db/prisma/schema.prisma"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? here,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
