// bench/results/latest.json (everything measured) and latest.md (the table in Markdown).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { repoRoot } from "./infra.js";
import type { MachineInfo } from "./machine.js";
import { buildRows, formatTable, markdownTable, type Row, type Sections } from "./report.js";

export interface ResultsFile extends Sections {
  meta: { startedAt: string; mode: string; machine: MachineInfo } & Record<string, unknown>;
  table: Row[];
  profiles?: unknown;
}

/** Writes the results and their Markdown table; returns the table as text for the console. */
export function writeResults(path: string, results: ResultsFile): string {
  const out = resolve(repoRoot, path);
  const markdown = out.replace(/\.json$/, ".md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const { machine } = results.meta;
  writeFileSync(
    markdown,
    `Measured ${results.meta.startedAt} on ${machine.cpuModel} (${machine.nproc} cores), commit ${machine.commit}` +
      `${machine.uncommitted.length > 0 ? " plus uncommitted changes" : ""}, ${results.meta.mode} mode.\n\n` +
      `${markdownTable(results.table)}\n`,
  );
  try {
    // The repository's formatter checks JSON and Markdown too; keep both files formatted its way.
    execFileSync(resolve(repoRoot, "node_modules/.bin/biome"), ["format", "--write", out, markdown], {
      stdio: "ignore",
    });
  } catch {
    console.error("could not format the results with biome; `npm run lint` may flag them");
  }
  return formatTable(results.table);
}

/** Renders the table of an existing results file again (after a change to the report), in place. */
export function rerenderResults(path: string): string {
  const results = JSON.parse(readFileSync(resolve(repoRoot, path), "utf8")) as ResultsFile;
  results.table = buildRows(results);
  return writeResults(path, results);
}
