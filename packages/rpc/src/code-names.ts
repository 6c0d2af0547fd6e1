import { Code } from "@connectrpc/connect";

/** Connect's wire names of the codes (`not_found`), derived from the `Code` enum's names (`NotFound`). */
const names = new Map<Code, string>();
const codes = new Map<string, Code>();
for (const value of Object.values(Code)) {
  if (typeof value !== "number") continue;
  const name = Code[value].replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
  names.set(value, name);
  codes.set(name, value);
}

/** The snake_case name of a code, as in Connect error bodies and REST errors (`not_found`). */
export function codeName(code: Code): string {
  return names.get(code) ?? "unknown";
}

/** The code for a snake_case name, or undefined for a name that is not a code. */
export function codeFromName(name: string): Code | undefined {
  return codes.get(name);
}
