// Fails when the committed generated code (protobuf-es, Prisma client) is not
// what `npm run generate` produces from proto/ and schema.prisma.
import { execFileSync } from "node:child_process";

const generated = ["packages/proto/src/gen", "packages/db/src/gen"];
execFileSync("npm", ["run", "--silent", "generate"], { stdio: ["ignore", "ignore", "inherit"] });
const changes = execFileSync("git", ["status", "--porcelain", "--", ...generated], { encoding: "utf8" });
if (changes.trim() !== "") {
  console.error(`generated code is out of date; run \`npm run generate\` and commit:\n${changes}`);
  process.exit(1);
}
