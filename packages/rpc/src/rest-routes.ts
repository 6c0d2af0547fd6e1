import { getOption, hasOption } from "@bufbuild/protobuf";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { type HttpRule, http } from "@piperelay/proto";
import {
  matchPathTemplate,
  type PathBinding,
  type PathTemplate,
  parsePathTemplate,
} from "./path-template.js";

/** One REST binding of an RPC, read from its `google.api.http` option. */
export interface RestRoute {
  /** Upper-case HTTP method, e.g. `GET`. */
  readonly httpMethod: string;
  readonly template: PathTemplate;
  /** `*` (the whole body is the request), a field name, or empty (no body: query parameters instead). */
  readonly body: string;
  /** The response field to send instead of the whole response message, or empty. */
  readonly responseBody: string;
  /** The Connect handler of the RPC, which the transcoder calls in-process. */
  readonly handler: UniversalHandler;
}

/**
 * Builds the REST routes of every unary RPC with a `google.api.http` option
 * (including its additional bindings). Throws when two RPCs claim the same
 * method and path template, or a template is malformed.
 */
export function restRoutesFor(handlers: readonly UniversalHandler[]): RestRoute[] {
  const routes: RestRoute[] = [];
  const seen = new Map<string, string>();
  for (const handler of handlers) {
    const { method } = handler;
    if (method.methodKind !== "unary" || !hasOption(method, http)) continue;
    const rule = getOption(method, http);
    for (const binding of [rule, ...rule.additionalBindings]) {
      const pattern = patternOf(binding);
      if (pattern === undefined) continue;
      const key = `${pattern.httpMethod} ${pattern.path}`;
      const rpc = `${handler.service.typeName}/${method.name}`;
      const other = seen.get(key);
      if (other !== undefined) throw new Error(`${rpc} and ${other} are both bound to ${key}`);
      seen.set(key, rpc);
      routes.push({
        httpMethod: pattern.httpMethod,
        template: parsePathTemplate(pattern.path),
        body: binding.body,
        responseBody: binding.responseBody,
        handler,
      });
    }
  }
  return routes;
}

function patternOf(rule: HttpRule): { httpMethod: string; path: string } | undefined {
  switch (rule.pattern.case) {
    case undefined:
      return undefined;
    case "custom":
      return { httpMethod: rule.pattern.value.kind.toUpperCase(), path: rule.pattern.value.path };
    default:
      return { httpMethod: rule.pattern.case.toUpperCase(), path: rule.pattern.value };
  }
}

/** The outcome of looking a request up in the routes. */
export type RouteLookup =
  | { kind: "found"; route: RestRoute; bindings: PathBinding[] }
  | { kind: "method_not_allowed"; allowed: string[] }
  | { kind: "not_found" };

/** Finds the route for a method and path; among several matching templates, the most literal one wins. */
export function findRoute(routes: readonly RestRoute[], httpMethod: string, path: string): RouteLookup {
  let best: { route: RestRoute; bindings: PathBinding[]; score: number } | undefined;
  const allowed = new Set<string>();
  for (const route of routes) {
    const bindings = matchPathTemplate(route.template, path);
    if (bindings === undefined) continue;
    allowed.add(route.httpMethod);
    if (route.httpMethod !== httpMethod) continue;
    const score = literalSegments(route.template);
    if (best === undefined || score > best.score) best = { route, bindings, score };
  }
  if (best !== undefined) return { kind: "found", route: best.route, bindings: best.bindings };
  if (allowed.size > 0) return { kind: "method_not_allowed", allowed: [...allowed].sort() };
  return { kind: "not_found" };
}

function literalSegments(template: PathTemplate): number {
  return template.segments.filter((s) => s.kind === "literal").length;
}
