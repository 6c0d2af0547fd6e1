import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeReceiverExample, repositoryRoot } from "./receiver-example.js";

// Needs `go` on PATH (.ci/run installs Debian's golang-go); the example uses the standard library only.
const binary = join(mkdtempSync(join(tmpdir(), "piperelay-go-receiver-")), "receiver");
execFileSync("go", ["build", "-o", binary, "."], { cwd: join(repositoryRoot, "examples/go-receiver") });
describeReceiverExample({ name: "Go", command: binary, args: [] });
