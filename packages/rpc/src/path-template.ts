/**
 * URL path templates of `google.api.http` rules, e.g.
 * `/api/v1/endpoints/{id}/toggle` or `/v1/{name=shelves/*}:archive`.
 *
 * Grammar (from google/api/http.proto):
 * `Template = "/" Segments [ Verb ]`, `Segment = "*" | "**" | LITERAL | Variable`,
 * `Variable = "{" FieldPath [ "=" Segments ] "}"`, `Verb = ":" LITERAL`.
 */
export interface PathTemplate {
  /** The template as written in the proto. */
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  /** The custom verb after `:` in the last segment, if any. */
  readonly verb: string | undefined;
}

type TemplateSegment = { kind: "literal"; value: string } | { kind: "single" } | { kind: "rest" };

interface TemplateVariable {
  /** Field names from the request message down, e.g. `["id"]`. */
  readonly fieldPath: readonly string[];
  readonly start: number;
  /** Exclusive; undefined when the variable ends with `**` and takes the rest of the path. */
  readonly end: number | undefined;
}

/** A variable bound by a match: the field path and its URL-decoded value. */
export interface PathBinding {
  fieldPath: readonly string[];
  value: string;
}

/** Named error for a malformed template in a proto annotation. */
export class PathTemplateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PathTemplateError";
  }
}

/** Parses a template; throws {@link PathTemplateError} when it does not follow the grammar. */
export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new PathTemplateError(`path template ${source} must start with "/"`);
  const { path, verb } = splitVerb(source);
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  for (const piece of splitOutsideBraces(path.slice(1))) {
    if (piece.startsWith("{")) {
      if (!piece.endsWith("}")) throw new PathTemplateError(`unclosed variable in path template ${source}`);
      const [fieldPath = "", pattern = "*"] = piece.slice(1, -1).split("=", 2);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(fieldPath)) {
        throw new PathTemplateError(`invalid variable "${fieldPath}" in path template ${source}`);
      }
      const start = segments.length;
      for (const sub of pattern.split("/")) segments.push(parseSegment(sub, source));
      const endsWithRest = segments.at(-1)?.kind === "rest";
      variables.push({
        fieldPath: fieldPath.split("."),
        start,
        end: endsWithRest ? undefined : segments.length,
      });
    } else {
      segments.push(parseSegment(piece, source));
    }
  }
  if (segments.slice(0, -1).some((s) => s.kind === "rest")) {
    throw new PathTemplateError(`"**" must be the last segment of path template ${source}`);
  }
  return { source, segments, variables, verb };
}

function parseSegment(piece: string, source: string): TemplateSegment {
  if (piece === "*") return { kind: "single" };
  if (piece === "**") return { kind: "rest" };
  if (piece === "" || /[{}*=]/.test(piece)) {
    throw new PathTemplateError(`invalid segment "${piece}" in path template ${source}`);
  }
  return { kind: "literal", value: piece };
}

function splitVerb(source: string): { path: string; verb: string | undefined } {
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (depth === 0 && c === "/") colon = -1;
    else if (depth === 0 && c === ":") colon = i;
  }
  if (colon < 0) return { path: source, verb: undefined };
  return { path: source.slice(0, colon), verb: source.slice(colon + 1) };
}

function splitOutsideBraces(path: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of path) {
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (c === "/" && depth === 0) {
      pieces.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  pieces.push(current);
  return pieces;
}

/**
 * Matches a request path (without query string) against a template. Returns
 * the bound variables, URL-decoded, or undefined when the path does not match;
 * an empty segment never matches a variable or wildcard, nor does a path with
 * a malformed percent-encoding.
 */
export function matchPathTemplate(template: PathTemplate, path: string): PathBinding[] | undefined {
  let rawPath = path;
  if (template.verb !== undefined) {
    if (!rawPath.endsWith(`:${template.verb}`)) return undefined;
    rawPath = rawPath.slice(0, -(template.verb.length + 1));
  }
  if (!rawPath.startsWith("/")) return undefined;
  const decoded: string[] = [];
  for (const raw of rawPath.slice(1).split("/")) {
    try {
      decoded.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  const { segments } = template;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as TemplateSegment;
    if (segment.kind === "rest") {
      if (decoded.slice(i).some((s) => s === "")) return undefined;
      break;
    }
    const actual = decoded[i];
    if (actual === undefined || actual === "") return undefined;
    if (segment.kind === "literal" && actual !== segment.value) return undefined;
    if (i === segments.length - 1 && decoded.length !== segments.length) return undefined;
  }
  const bindings: PathBinding[] = [];
  for (const variable of template.variables) {
    const value = decoded.slice(variable.start, variable.end).join("/");
    if (value === "") return undefined;
    bindings.push({ fieldPath: variable.fieldPath, value });
  }
  return bindings;
}
