import { createServer } from "node:net";

/**
 * A TCP port nothing listens on now, from the kernel (listen on port 0).
 * Random picks collide with the ephemeral ports of other tests' client sockets.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
