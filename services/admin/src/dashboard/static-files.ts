import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/**
 * Finds the built dashboard (`web/dist`, made by `npm run build`) by looking
 * in each folder above `from`: this module in the sources, or the bundle that
 * contains it (`packages/cli/dist`, `services/admin/dist`), in the repository
 * or an image built from it. Undefined when it has not been built.
 */
export function findDashboardBuild(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let folder = dirname(from);
  for (;;) {
    const candidate = join(folder, "web", "dist");
    if (existsSync(join(candidate, "index.html"))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** A file of the build, ready to send. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
  /** Vite's hashed assets never change, so they may be cached for good. */
  immutable: boolean;
}

/**
 * Reads `relativePath` from the build folder, or undefined when there is no
 * such file. Paths that leave the folder (`..`, encoded or not) find nothing.
 */
export function readStaticFile(root: string, relativePath: string): StaticFile | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relativePath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const base = resolve(root);
  const file = resolve(base, `.${sep}${decoded}`);
  if (!file.startsWith(base + sep)) return undefined;
  try {
    if (!statSync(file).isFile()) return undefined;
    return {
      body: readFileSync(file),
      contentType: contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream",
      immutable: decoded.startsWith("assets/"),
    };
  } catch {
    return undefined;
  }
}
