// Load generators: SendMessage over Connect (binary or JSON) or REST, or
// SendMessages batches over Connect binary, either as
// N clients each waiting for its answer (closed loop) or at a fixed offered
// rate (open loop, with a cap on requests in flight).
//
// The clients speak the Connect protocol over Node's own HTTP/2 and undici's
// HTTP/1.1 rather than through @connectrpc/connect's client: that client took
// 0.67 CPU ms a call (more than the server's whole RPC stack), and the load
// generator shares the machine's two cores with everything it measures. The
// server sees the same requests either way.
import http2 from "node:http2";
import { create, fromBinary, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  MessageService,
  SendMessageRequestSchema,
  SendMessageResponseSchema,
  SendMessagesRequestSchema,
  SendMessagesResponseSchema,
} from "@piperelay/proto";
import { Agent, request } from "undici";
import { Samples, wallNow } from "./stats.js";

export type Protocol = "connect-binary" | "connect-json" | "rest" | "connect-binary-batch";

/** Messages per SendMessages call of the `connect-binary-batch` protocol (the server's default limit). */
export const batchSize = 100;

/** What one call accepted: messages, and the deliveries they were fanned out to. */
export interface Sent {
  messages: number;
  deliveries: number;
}

/** Makes one call (one message, or a batch of them); `payload` makes each message's payload. */
export type Send = (eventType: string, payload: () => Record<string, JsonValue>) => Promise<Sent>;

export interface Sender {
  send: Send;
  /** Messages each call carries: 1, or `batchSize` for `connect-binary-batch`. */
  messagesPerCall: number;
  close(): Promise<void>;
}

/**
 * A client of the ingest service. Connect over HTTP/2 uses `connections`
 * sessions round-robin (one per simulated client process); Connect JSON and
 * REST go over HTTP/1.1 keep-alive connections, one per request in flight.
 */
export function createSender(
  protocol: Protocol,
  baseUrl: string,
  apiKey: string,
  connections: number,
): Sender {
  const headers = { authorization: `Bearer ${apiKey}` };
  if (protocol === "rest") {
    const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
    return {
      async send(eventType, payload) {
        const res = await request(`${baseUrl}/api/v1/messages`, {
          method: "POST",
          dispatcher: agent,
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ event_type: eventType, payload: payload() }),
        });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`REST answered ${res.statusCode}: ${text.slice(0, 200)}`);
        const deliveries = Number(
          (JSON.parse(text) as { endpoints_targeted?: number }).endpoints_targeted ?? 0,
        );
        return { messages: 1, deliveries };
      },
      messagesPerCall: 1,
      close: () => agent.close(),
    };
  }
  if (protocol === "connect-json") {
    const agent = new Agent({ connections, keepAliveTimeout: 30_000 });
    const path = `/${MessageService.typeName}/${MessageService.method.sendMessage.name}`;
    return {
      async send(eventType, payload) {
        const res = await request(`${baseUrl}${path}`, {
          method: "POST",
          dispatcher: agent,
          headers: { ...headers, "content-type": "application/json", "connect-protocol-version": "1" },
          body: JSON.stringify({ eventType, payload: payload() }),
        });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`Connect answered ${res.statusCode}: ${text.slice(0, 200)}`);
        return {
          messages: 1,
          deliveries: Number((JSON.parse(text) as { endpointsTargeted?: number }).endpointsTargeted ?? 0),
        };
      },
      messagesPerCall: 1,
      close: () => agent.close(),
    };
  }
  // Connect binary over HTTP/2: `connections` sessions, round robin (one per simulated client process).
  const sessions = Array.from({ length: connections }, () => http2.connect(baseUrl));
  for (const session of sessions) session.on("error", () => {});
  let next = 0;
  const call = (path: string, body: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) => {
      const session = sessions[next++ % sessions.length] as http2.ClientHttp2Session;
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/proto",
        "connect-protocol-version": "1",
        ...headers,
      });
      const chunks: Buffer[] = [];
      let status = 0;
      stream.on("response", (h) => {
        status = Number(h[":status"]);
      });
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", reject);
      stream.on("end", () => {
        const data = Buffer.concat(chunks);
        if (status === 200) resolve(data);
        else reject(new Error(`Connect answered ${status}: ${data.toString("utf8").slice(0, 200)}`));
      });
      stream.end(body);
    });
  const message = (eventType: string, payload: () => Record<string, JsonValue>) =>
    create(SendMessageRequestSchema, { eventType, payload: fromJson(ValueSchema, payload()) });
  const one = `/${MessageService.typeName}/${MessageService.method.sendMessage.name}`;
  const many = `/${MessageService.typeName}/${MessageService.method.sendMessages.name}`;
  return {
    async send(eventType, payload) {
      if (protocol === "connect-binary-batch") {
        const messages = Array.from({ length: batchSize }, () => message(eventType, payload));
        const body = toBinary(SendMessagesRequestSchema, create(SendMessagesRequestSchema, { messages }));
        const res = fromBinary(SendMessagesResponseSchema, await call(many, body));
        return {
          messages: res.messages.length,
          deliveries: res.messages.reduce((sum, m) => sum + m.endpointsTargeted, 0),
        };
      }
      const body = toBinary(SendMessageRequestSchema, message(eventType, payload));
      const res = fromBinary(SendMessageResponseSchema, await call(one, body));
      return { messages: 1, deliveries: res.endpointsTargeted };
    },
    messagesPerCall: protocol === "connect-binary-batch" ? batchSize : 1,
    async close() {
      await Promise.all(
        sessions.map((session) => new Promise<void>((resolve) => session.close(() => resolve()))),
      );
    },
  };
}

let sequence = 0;

/** A webhook payload shaped like the README's example (~420 bytes), carrying the phase and send time. */
export function benchPayload(phase: string): Record<string, JsonValue> {
  const seq = sequence++;
  return {
    bench: { phase, seq, sent_at: wallNow() },
    session_id: `sess_${seq.toString(36).padStart(10, "0")}`,
    user_id: `user_${seq % 9973}`,
    duration: 342,
    pages_visited: 12,
    recording_url: `https://app.seentics.com/replay/sess_${seq.toString(36)}`,
    browser: { name: "Firefox", version: "133.0", os: "Linux" },
    referrer: "https://www.example.com/blog/how-we-ship-webhooks",
    tags: ["onboarding", "trial", "eu-west"],
  };
}

/**
 * Requests an open-loop window may have in flight. A real sender at thousands of messages a
 * second has far more callers than this; the cap only stops a window that ingest cannot keep
 * up with from piling up requests without end (the trials' pile-up check fails those). 128
 * until the thirteenth session: at 2,000–3,000 msg/s a 40–60 ms hiccup filled it, and trials
 * the delivery side kept up with failed on a few unsent messages.
 */
export const openLoopMaxInFlight = 1024;

export type LoadMode =
  /** `hold`: while it returns true, clients wait before their next send (e.g. to bound a backlog). */
  | { kind: "closed"; concurrency: number; hold?: () => boolean }
  /** `rate` messages per second; calls beyond `maxInFlight` are not made and their messages counted as `unsent`. */
  | { kind: "open"; rate: number; maxInFlight: number };

export interface LoadSnapshot {
  at: number;
  /** Messages the schedule asked for (open loop) or started (closed loop). */
  offered: number;
  accepted: number;
  /** Deliveries the accepted messages were fanned out to. */
  deliveries: number;
  errors: number;
  unsent: number;
  /** Messages sent and not answered yet. */
  inFlight: number;
}

export interface Load {
  snapshot(): LoadSnapshot;
  /** Messages accepted that were sent under `phase`. */
  acceptedIn(phase: string): number;
  /** Payloads from now on carry this phase name; RPC latency samples restart. */
  setPhase(phase: string): void;
  /** Stops sending and waits for requests in flight. */
  stop(): Promise<{ final: LoadSnapshot; rpcLatency: Samples; firstError: string | undefined }>;
}

/** Sends `perCall` messages a call (what the sender's calls carry); rates and counts are in messages. */
export function startLoad(
  send: Send,
  eventType: string,
  mode: LoadMode,
  initialPhase: string,
  perCall = 1,
): Load {
  let phase = initialPhase;
  let rpcLatency = new Samples();
  let stopping = false;
  let firstError: string | undefined;
  const counts = { offered: 0, accepted: 0, deliveries: 0, errors: 0, unsent: 0, inFlight: 0 };
  const inFlight = new Set<Promise<void>>();
  const byPhase = new Map<string, number>();

  const one = async () => {
    const started = performance.now();
    const sentIn = phase;
    counts.inFlight += perCall;
    try {
      // Read the count only after the await: `counts.deliveries += await …` would lose concurrent updates.
      const sent = await send(eventType, () => benchPayload(sentIn));
      counts.deliveries += sent.deliveries;
      counts.accepted += sent.messages;
      byPhase.set(sentIn, (byPhase.get(sentIn) ?? 0) + sent.messages);
      rpcLatency.add(performance.now() - started);
    } catch (error) {
      counts.errors++;
      firstError ??= String(error);
    } finally {
      counts.inFlight -= perCall;
    }
  };
  const launch = () => {
    const task: Promise<void> = one().finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  let done: Promise<void>;
  if (mode.kind === "closed") {
    done = Promise.all(
      Array.from({ length: mode.concurrency }, async () => {
        while (!stopping) {
          if (mode.hold?.()) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          counts.offered += perCall;
          await one();
        }
      }),
    ).then(() => {});
  } else {
    const began = performance.now();
    let calls = 0;
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - began) / 1000) * (mode.rate / perCall)) - calls;
      for (let i = 0; i < due; i++) {
        calls++;
        counts.offered += perCall;
        if (inFlight.size >= mode.maxInFlight) counts.unsent += perCall;
        else launch();
      }
    }, 2);
    done = new Promise((resolve) => {
      const check = setInterval(() => {
        if (!stopping) return;
        clearInterval(timer);
        clearInterval(check);
        resolve();
      }, 5);
    });
  }

  return {
    snapshot: () => ({ at: performance.now(), ...counts }),
    acceptedIn: (name) => byPhase.get(name) ?? 0,
    setPhase(next) {
      phase = next;
      rpcLatency = new Samples();
    },
    async stop() {
      stopping = true;
      await done;
      await Promise.all(inFlight);
      return { final: { at: performance.now(), ...counts }, rpcLatency, firstError };
    },
  };
}
