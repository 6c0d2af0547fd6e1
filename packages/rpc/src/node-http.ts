import type http from "node:http";
import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/** A request from `node:http` or the compatibility API of `node:http2`. */
export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** A response of `node:http` or the compatibility API of `node:http2`. */
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/**
 * Reads the whole request body, up to `maxBytes`. A larger body is refused
 * with `Code.ResourceExhausted` as soon as it is known to be too large (from
 * Content-Length, or while streaming), without reading the rest; answer it
 * with {@link refuseRemainingBody}. A client that goes away gives `Code.Canceled`.
 */
export function readBody(req: NodeRequest, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new ConnectError(`request body is larger than the limit of ${maxBytes} bytes`, Code.ResourceExhausted);
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new ConnectError("the client aborted the request", Code.Canceled, undefined, undefined, error));
    };
    const onClose = () => onError(new Error("request closed before its body ended"));
    function cleanup() {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/**
 * Prepares a response that is sent before the request body was read (413):
 * HTTP/1.1 closes the connection after the response instead of reading the
 * rest; HTTP/2 resets just the stream once the response is out.
 */
export function refuseRemainingBody(req: NodeRequest, res: NodeResponse): void {
  if ("stream" in req) {
    // The response's own "finish" waits for the stream to close; the stream's fires once the response is sent.
    const { stream } = req;
    stream.once("finish", () => stream.close(http2.constants.NGHTTP2_NO_ERROR));
    return;
  }
  res.setHeader("connection", "close");
}

/** Sends `value` as a JSON response. */
export function writeJson(
  res: NodeResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  for (const [name, headerValue] of Object.entries(headers)) res.setHeader(name, headerValue);
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(body));
  res.statusCode = status;
  res.end(body);
}

/** The path of a request URL, without query string. */
export function requestPath(req: NodeRequest): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
