import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A webhook endpoint on a loopback port that answers every request 200, a while after it arrived. */
export interface SlowReceiver {
  url: string;
  /** The message ids (`x-piperelay-id`) it has answered. */
  answered: Set<string>;
  close(): void;
}

export async function startSlowReceiver(answerAfterMs: number): Promise<SlowReceiver> {
  const answered = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      setTimeout(() => {
        answered.add(String(req.headers["x-piperelay-id"]));
        res.writeHead(200).end("ok");
      }, answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    answered,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
