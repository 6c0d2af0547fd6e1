// The dead endpoint of the backlog scenario coming back: an HTTP server on its
// port that answers every request with 200 and counts what arrives.
import { createServer } from "node:http";

export interface RevivedEndpoint {
  arrivals(): number;
  /** performance.now() of the first request; undefined before it. */
  firstArrivalAt(): number | undefined;
  /** The most requests in any whole second counted from the first (0 before it). */
  busiestSecond(): number;
  close(): Promise<void>;
}

export async function reviveEndpoint(port: number): Promise<RevivedEndpoint> {
  let arrivals = 0;
  let firstAt: number | undefined;
  // Arrivals per second since the first: a release that lets a burst through shows here,
  // where an average over the window hides it.
  const perSecond: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const now = performance.now();
      firstAt ??= now;
      const second = Math.floor((now - firstAt) / 1000);
      perSecond[second] = (perSecond[second] ?? 0) + 1;
      arrivals++;
      res.writeHead(200, { "content-length": "0" }).end();
    });
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return {
    arrivals: () => arrivals,
    firstArrivalAt: () => firstAt,
    busiestSecond: () => perSecond.reduce((most, n) => Math.max(most, n ?? 0), 0),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
