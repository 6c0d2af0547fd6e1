import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, createContextValues } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeFromName, codeName } from "./code-names.js";
import type { InternalErrorListener } from "./error-interceptor.js";
import { httpStatusForCode } from "./failures.js";
import {
  type NodeRequest,
  type NodeResponse,
  readBody,
  refuseRemainingBody,
  writeJson,
} from "./node-http.js";
import { isJsonObject, setFieldFromStrings } from "./request-fields.js";
import { responseRequestId } from "./request-log.js";
import { findRoute, type RestRoute, restRoutesFor } from "./rest-routes.js";

/** Request headers the transcoder passes on to the RPC; others (cookies, encodings) stay behind. */
export const forwardedHeaders: readonly string[] = [
  "authorization",
  "idempotency-key",
  "traceparent",
  "tracestate",
  "user-agent",
];

/** Options of {@link createRestTranscoder}. */
export interface RestTranscoderOptions {
  /** The Connect handlers of the served RPCs, e.g. `createConnectRouter().handlers`. */
  handlers: readonly UniversalHandler[];
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
  /** Receives errors of the transcoder itself (not of handlers), which answer 500. */
  onInternalError?: InternalErrorListener;
  /** The context values a request's RPC starts with (e.g. its request id). @defaultValue empty */
  contextValues?: (req: NodeRequest) => ContextValues;
}

/** Serves the REST form of the API. */
export interface RestTranscoder {
  /** Answers one request; requests matching no route get a 404 JSON error. */
  handle(req: NodeRequest, res: NodeResponse): Promise<void>;
  readonly routes: readonly RestRoute[];
}

/**
 * Serves HTTP/JSON per the `google.api.http` options of the RPCs: path
 * variables, query parameters and the JSON body become the request message,
 * which goes to the RPC's Connect handler in-process as a Connect unary JSON
 * call, so interceptors (auth, errors) and validation are exactly those of
 * Connect clients. Errors answer `{"code":"not_found","message":"..."}` with
 * the HTTP status of {@link httpStatusForCode}.
 */
export function createRestTranscoder(options: RestTranscoderOptions): RestTranscoder {
  const routes = restRoutesFor(options.handlers);
  async function handle(req: NodeRequest, res: NodeResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    try {
      const lookup = findRoute(routes, method, url.pathname);
      if (lookup.kind === "not_found") {
        throw new ConnectError(`no API route for ${method} ${url.pathname}`, Code.NotFound);
      }
      if (lookup.kind === "method_not_allowed") {
        writeJson(
          res,
          405,
          { code: codeName(Code.Unimplemented), message: `${method} is not allowed on ${url.pathname}` },
          { allow: lookup.allowed.join(", ") },
        );
        return;
      }
      const { route, bindings } = lookup;
      const input = route.body === "" ? {} : await requestBody(req, route, options.maxBodyBytes);
      const message = route.handler.method.input;
      for (const key of new Set(url.searchParams.keys())) {
        if (route.body === "*")
          throw new ConnectError(`unknown query parameter "${key}"`, Code.InvalidArgument);
        setFieldFromStrings(
          input,
          message,
          key.split("."),
          url.searchParams.getAll(key),
          `query parameter "${key}"`,
        );
      }
      for (const { fieldPath, value } of bindings) {
        setFieldFromStrings(input, message, fieldPath, [value], `path variable "${fieldPath.join(".")}"`);
      }
      await respond(
        res,
        route,
        await invoke(req, res, route.handler, input, options.contextValues?.(req) ?? createContextValues()),
      );
    } catch (error) {
      if (!(error instanceof ConnectError))
        options.onInternalError?.(error, `${method} ${url.pathname}`, responseRequestId(res));
      const connectError =
        error instanceof ConnectError ? error : new ConnectError("internal error", Code.Internal);
      if (connectError.code === Code.Canceled) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (connectError.code === Code.ResourceExhausted) refuseRemainingBody(req, res);
      writeError(res, connectError.code, connectError.rawMessage);
    }
  }
  return { handle, routes };
}

async function requestBody(req: NodeRequest, route: RestRoute, maxBytes: number): Promise<JsonObject> {
  const bytes = await readBody(req, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConnectError("request body is not valid UTF-8", Code.InvalidArgument);
  }
  let value: JsonValue;
  try {
    value = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectError(`request body is not valid JSON: ${reason}`, Code.InvalidArgument);
  }
  if (route.body !== "*") return { [route.body]: value };
  if (!isJsonObject(value))
    throw new ConnectError("request body must be a JSON object", Code.InvalidArgument);
  return value;
}

function invoke(
  req: NodeRequest,
  res: NodeResponse,
  handler: UniversalHandler,
  input: JsonObject,
  contextValues: ContextValues,
): Promise<UniversalServerResponse> {
  const header = new Headers({ "content-type": "application/json" });
  for (const name of forwardedHeaders) {
    const value = req.headers[name];
    if (typeof value === "string") header.set(name, value);
  }
  const abort = new AbortController();
  // Only a client that went away first aborts the call: aborting every finished call
  // (abort() with no reason builds a DOMException) cost a few percent of a REST call's CPU.
  res.once("close", () => {
    if (!res.writableFinished) abort.abort(new ConnectError("the client closed the request", Code.Canceled));
  });
  return handler({
    httpVersion: req.httpVersion,
    method: "POST",
    url: `http://localhost${handler.requestPath}`,
    header,
    body: input,
    signal: abort.signal,
    contextValues,
  });
}

/** Response headers of the Connect protocol itself, which the REST response does not repeat. */
const protocolHeader =
  /^(content-type|content-length|content-encoding|connect-.*|trailer-.*|accept-encoding)$/i;

async function respond(
  res: NodeResponse,
  route: RestRoute,
  response: UniversalServerResponse,
): Promise<void> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  const headers: Record<string, string> = {};
  response.header?.forEach((value, name) => {
    if (!protocolHeader.test(name)) headers[name] = value;
  });
  if (response.status !== 200) {
    const { code, message } = parseConnectError(text, response.status);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    writeError(res, code, message);
    return;
  }
  const output = JSON.parse(text) as JsonObject;
  const body = route.responseBody === "" ? output : (output[route.responseBody] ?? null);
  writeJson(res, 200, body, headers);
}

function parseConnectError(text: string, status: number): { code: Code; message: string } {
  try {
    const json = JSON.parse(text) as { code?: unknown; message?: unknown };
    const code = typeof json.code === "string" ? codeFromName(json.code) : undefined;
    if (code !== undefined) return { code, message: typeof json.message === "string" ? json.message : "" };
  } catch {
    // Not a Connect error body (e.g. 415 from protocol negotiation): fall through.
  }
  return { code: Code.Internal, message: `internal error (the RPC answered HTTP ${status})` };
}

function writeError(res: NodeResponse, code: Code, message: string): void {
  writeJson(res, httpStatusForCode(code), { code: codeName(code), message });
}
