import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { describeReceiverExample, repositoryRoot } from "./receiver-example.js";

// CI has no Go toolchain; where `go` is on PATH the Go example passes the same checks as the others.
const hasGo = spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;

if (hasGo) {
  const binary = join(mkdtempSync(join(tmpdir(), "piperelay-go-receiver-")), "receiver");
  execFileSync("go", ["build", "-o", binary, "."], { cwd: join(repositoryRoot, "examples/go-receiver") });
  describeReceiverExample({ name: "Go", command: binary, args: [] });
} else {
  describe.skip("the Go example receiver (needs go on PATH)", () => {
    it("verifies deliveries like the Node.js and Python examples", () => {});
  });
}
