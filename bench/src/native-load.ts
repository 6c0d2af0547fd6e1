// Load generators written in C, for ingest's highest rates: h2load (nghttp2) for
// Connect binary over HTTP/2, as gRPC clients connect, and wrk for REST and Connect
// JSON over HTTP/1.1. They cost a tenth of the CPU per call of the Node.js clients
// in load.ts (0.01–0.03 ms against 0.08–0.23), which share the machine's two cores
// with what they measure. Every request carries the same message; without an
// idempotency key each is stored as a new one.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { create, fromJson, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { MessageService, SendMessageRequestSchema, SendMessagesRequestSchema } from "@piperelay/proto";
import { collectOutput } from "../../test/support/processes.js";
import { batchSize, benchPayload, type Protocol } from "./load.js";

export type NativeTool = "h2load" | "wrk";

/** The tool that speaks `protocol`. */
export const nativeToolFor: Record<Protocol, NativeTool> = {
  "connect-binary": "h2load",
  "connect-binary-batch": "h2load",
  "connect-json": "wrk",
  rest: "wrk",
};

/** The tools that are not installed (Debian: `apt-get install nghttp2-client wrk`). */
export function missingNativeTools(): NativeTool[] {
  return (["h2load", "wrk"] as const).filter((tool) => spawnSync(tool, ["--version"]).error !== undefined);
}

export interface NativeLoad {
  pid: number;
  /** Resolves with what the tool printed when it has run its course. */
  finished: Promise<string>;
  stop(): void;
}

/** Runs the tool for `protocol` against ingest at `baseUrl` for `seconds`, `connections` requests in flight. */
export function startNativeLoad(
  protocol: Protocol,
  baseUrl: string,
  apiKey: string,
  connections: number,
  seconds: number,
  workDir: string,
): NativeLoad {
  mkdirSync(workDir, { recursive: true });
  const eventType = "session.completed";
  const payload = benchPayload("ingest/native");
  const auth = `Bearer ${apiKey}`;
  let child: ChildProcess;
  if (nativeToolFor[protocol] === "h2load") {
    const batch = protocol === "connect-binary-batch";
    const message = create(SendMessageRequestSchema, { eventType, payload: fromJson(ValueSchema, payload) });
    const body = batch
      ? toBinary(
          SendMessagesRequestSchema,
          create(SendMessagesRequestSchema, { messages: Array.from({ length: batchSize }, () => message) }),
        )
      : toBinary(SendMessageRequestSchema, message);
    const bodyFile = resolve(workDir, `${protocol}.bin`);
    writeFileSync(bodyFile, body);
    const method = batch ? MessageService.method.sendMessages : MessageService.method.sendMessage;
    child = spawn(
      "h2load",
      [
        ...["-c", String(connections), "-m", "1", "-t", "1", "-D", String(seconds), "-d", bodyFile],
        ...["-H", "content-type: application/proto", "-H", "connect-protocol-version: 1"],
        ...["-H", `authorization: ${auth}`],
        `${baseUrl}/${MessageService.typeName}/${method.name}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  } else {
    const rest = protocol === "rest";
    const body = JSON.stringify(rest ? { event_type: eventType, payload } : { eventType, payload });
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      Authorization: auth,
      ...(rest ? {} : { "Connect-Protocol-Version": "1" }),
    };
    const script = resolve(workDir, `${protocol}.lua`);
    writeFileSync(
      script,
      [
        `wrk.method = "POST"`,
        `wrk.body = ${JSON.stringify(body)}`,
        ...Object.entries(headers).map(
          ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
        ),
      ].join("\n"),
    );
    const path = rest
      ? "/api/v1/messages"
      : `/${MessageService.typeName}/${MessageService.method.sendMessage.name}`;
    child = spawn("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", script, `${baseUrl}${path}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
  const output = collectOutput(child);
  const finished = new Promise<string>((done) => child.once("exit", () => done(output())));
  return { pid: child.pid ?? 0, finished, stop: () => child.kill("SIGINT") };
}

/** Requests the tool saw refused or failed, from its summary. */
export function nativeErrors(output: string): number {
  // wrk: "Non-2xx or 3xx responses: N" and "Socket errors: connect A, read B, write C, timeout D".
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  // h2load: "requests: … N failed, N errored, N timeout" and "status codes: A 2xx, B 3xx, C 4xx, D 5xx".
  const h2 = /(\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
  const h2Errors = h2 ? Number(h2[1]) + Number(h2[3]) : 0;
  const status = /status codes: \d+ 2xx, \d+ 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output);
  const h2Status = status ? Number(status[1]) + Number(status[2]) : 0;
  return non2xx + socketErrors + Math.max(h2Errors, h2Status);
}
