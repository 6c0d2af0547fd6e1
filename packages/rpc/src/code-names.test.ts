import { Code } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { describe, expect, it } from "vitest";
import { codeFromName, codeName } from "./code-names.js";

describe("code names", () => {
  it("spell every code as Connect does on the wire, and read back", () => {
    for (const code of Object.values(Code).filter((v): v is Code => typeof v === "number")) {
      expect(codeName(code)).toBe(codeToString(code));
      expect(codeFromName(codeName(code))).toBe(code);
    }
    expect(codeFromName("teapot")).toBeUndefined();
  });
});
