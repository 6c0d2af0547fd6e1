import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { NodeRequest, NodeResponse } from "./node-http.js";

/** The start of the HTTP/2 connection preface a client with prior knowledge sends first. */
const h2Preface = Buffer.from("PRI * HTTP/2.0");

/** A TCP server speaking HTTP/1.1 and cleartext HTTP/2 on one port. */
export interface H2cSniffingServer {
  /** Starts listening; port 0 picks a free port, which is returned. */
  listen(port: number, host: string): Promise<{ port: number }>;
  /**
   * Stops accepting connections, closes idle keep-alive connections and HTTP/2
   * sessions at once, lets requests in flight finish for up to `graceMs`, then
   * destroys what is left. Resolves when every connection is closed.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves `handler` over HTTP/1.1 and over HTTP/2 with prior knowledge (h2c, as
 * gRPC clients speak it without TLS) on one port: each connection's first
 * bytes decide which of two Node servers gets the socket.
 */
export function createH2cSniffingServer(
  handler: (req: NodeRequest, res: NodeResponse) => void,
): H2cSniffingServer {
  const http1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  // Every open connection: still being sniffed, HTTP/1 with its requests in flight, or HTTP/2.
  const connections = new Map<
    net.Socket,
    { protocol: "sniffing" | "h2" } | { protocol: "http1"; active: number }
  >();
  const sessions = new Set<http2.ServerHttp2Session>();
  let closing = false;

  http1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const connection = connections.get(req.socket);
    if (connection?.protocol !== "http1") return;
    connection.active++;
    if (closing) res.setHeader("connection", "close");
    res.once("close", () => {
      connection.active--;
      if (closing && connection.active === 0) req.socket.end();
    });
  });
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (closing) session.close();
  });

  const server = net.createServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    connections.set(socket, { protocol: "sniffing" });
    socket.once("close", () => connections.delete(socket));
    sniff(socket, (isH2) => {
      if (isH2) {
        connections.set(socket, { protocol: "h2" });
        h2.emit("connection", socket);
      } else {
        connections.set(socket, { protocol: "http1", active: 0 });
        http1.emit("connection", socket);
      }
    });
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address();
          resolve({ port: typeof address === "object" && address !== null ? address.port : port });
        });
      });
    },
    async close(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY: the session ends once its open streams are done.
      for (const session of sessions) session.close();
      for (const [socket, connection] of connections) {
        const idle =
          connection.protocol === "sniffing" || (connection.protocol === "http1" && connection.active === 0);
        if (idle) socket.destroy();
      }
      const timer = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Waits for enough bytes to tell an HTTP/2 preface from HTTP/1, puts them back, and reports which it is. */
function sniff(socket: net.Socket, decide: (isH2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const onReadable = () => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
      seen = Buffer.concat([seen, chunk]);
    }
    const n = Math.min(seen.length, h2Preface.length);
    const isPrefix = seen.subarray(0, n).equals(h2Preface.subarray(0, n));
    if (isPrefix && seen.length < h2Preface.length) return;
    socket.off("readable", onReadable);
    socket.off("end", onEnd);
    socket.unshift(seen);
    decide(isPrefix);
  };
  const onEnd = () => socket.destroy();
  socket.on("readable", onReadable);
  socket.once("end", onEnd);
}
