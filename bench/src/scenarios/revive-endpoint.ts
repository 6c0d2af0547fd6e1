// The dead endpoint of the backlog scenario coming back: an HTTP server on its
// port that answers every request with 200 and counts what arrives.
import { createServer } from "node:http";

export interface RevivedEndpoint {
  arrivals(): number;
  /** performance.now() of the first request; undefined before it. */
  firstArrivalAt(): number | undefined;
  close(): Promise<void>;
}

export async function reviveEndpoint(port: number): Promise<RevivedEndpoint> {
  let arrivals = 0;
  let firstAt: number | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      firstAt ??= performance.now();
      arrivals++;
      res.writeHead(200, { "content-length": "0" }).end();
    });
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return {
    arrivals: () => arrivals,
    firstArrivalAt: () => firstAt,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
