// The webhook receiver, run as a child process of its own (so its CPU is not the
// load generator's or PipeRelay's). It answers every POST with 200 at once and
// records, per phase named in the payload, how many arrived and how long after
// the send time the payload carries.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Samples, wallNow } from "../stats.js";
import type { ReceiverReply, ReceiverRequest } from "./protocol.js";

interface Phase {
  arrivals: number;
  /** Deliveries seen more than once (same message id at the same endpoint path). */
  duplicates: number;
  seen: Set<string> | undefined;
  latency: Samples;
  unsigned: number;
}

const phases = new Map<string, Phase>();
let total = 0;
let unparsable = 0;

function phase(name: string): Phase {
  let p = phases.get(name);
  if (!p) {
    p = { arrivals: 0, duplicates: 0, seen: new Set(), latency: new Samples(), unsigned: 0 };
    phases.set(name, p);
  }
  return p;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const arrived = wallNow();
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" }).end("ok");
    total++;
    let bench: { phase?: unknown; sent_at?: unknown } | undefined;
    try {
      bench = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { bench?: typeof bench }).bench;
    } catch {
      bench = undefined;
    }
    if (typeof bench?.phase !== "string" || typeof bench.sent_at !== "number") {
      unparsable++;
      return;
    }
    const p = phase(bench.phase);
    p.arrivals++;
    p.latency.add(arrived - bench.sent_at);
    if (req.headers["webhook-signature"] === undefined) p.unsigned++;
    const id = req.headers["webhook-id"];
    if (p.seen && typeof id === "string") {
      const key = `${req.url} ${id}`;
      if (p.seen.has(key)) p.duplicates++;
      else p.seen.add(key);
      // Bound memory on very long phases: stop checking duplicates past two million deliveries.
      if (p.seen.size > 2_000_000) p.seen = undefined;
    }
  });
});
server.keepAliveTimeout = 60_000;

function reply(message: ReceiverReply): void {
  process.send?.(message);
}

process.on("message", (message: ReceiverRequest) => {
  switch (message.type) {
    case "count": {
      const counts = Object.fromEntries(
        message.phases.map((name) => [name, phases.get(name)?.arrivals ?? 0]),
      );
      reply({ type: "count", id: message.id, total, counts });
      return;
    }
    case "stats": {
      const p = phases.get(message.phase);
      reply({
        type: "stats",
        id: message.id,
        arrivals: p?.arrivals ?? 0,
        duplicates: p?.duplicates ?? 0,
        unsigned: p?.unsigned ?? 0,
        unparsable,
        latency: p ? p.latency.summary() : new Samples().summary(),
      });
      return;
    }
    case "forget":
      for (const name of message.phases) phases.delete(name);
      reply({ type: "ok", id: message.id });
      return;
  }
});

server.listen(0, "127.0.0.1", () => {
  reply({ type: "listening", id: 0, port: (server.address() as AddressInfo).port });
});
process.on("disconnect", () => process.exit(0));
