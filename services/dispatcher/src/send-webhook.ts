import { type Dispatcher, request } from "undici";

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** undici dispatcher (connection pool); the global one when absent. */
  dispatcher?: Dispatcher;
}

/** What one attempt produced; exactly what the attempts table stores. */
export interface AttemptResult {
  /** 0 when no response arrived. */
  statusCode: number;
  /** The first 1 KiB of the response body. */
  responseBody: string;
  latencyMs: number;
  /** Empty on success. */
  error: string;
  /** The response's Retry-After, in ms from now, when it sent a valid one. */
  retryAfterMs?: number;
}

const maxStoredBody = 1024;

/**
 * POSTs one webhook. Redirects are not followed (a 3xx is a failure, as the
 * design says) and at most 1 KiB of the response is read, so a receiver that
 * streams a huge body cannot hold the worker.
 */
export async function sendWebhook(req: WebhookRequest): Promise<AttemptResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const response = await request(req.url, {
      method: "POST",
      body: req.body,
      headers: req.headers,
      signal,
      dispatcher: req.dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const latencyMs = Math.round(performance.now() - started);
    const responseBody = await readPrefix(response.body, maxStoredBody);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
    return {
      statusCode: response.statusCode,
      responseBody,
      latencyMs,
      error: ok ? "" : `HTTP ${response.statusCode}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    return { statusCode: 0, responseBody: "", latencyMs, error: describeError(error, req.timeoutMs) };
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms from now; undefined when absent or malformed. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function readPrefix(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut short still leaves what arrived; the status code decided the outcome.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString("utf8");
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (
    e.name === "TimeoutError" ||
    e.code === "UND_ERR_HEADERS_TIMEOUT" ||
    e.code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return `timeout after ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}
