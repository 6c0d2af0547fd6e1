import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { type NatsServer, startNatsServer } from "../../../test/support/nats-server.js";
import { watchServerReplaced } from "./server-replaced.js";

// A server of the test's own, so that it can crash and come back.
let server: NatsServer | undefined;
let nc: NatsConnection | undefined;

afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

describe("watchServerReplaced", () => {
  it("tells when the connection comes back to a new server process, and how long it was down", async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const replaced: number[] = [];
    watchServerReplaced(nc, (downMs) => replaced.push(downMs));
    await nc.flush();
    expect(replaced).toEqual([]);

    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    for (let i = 0; i < 100 && replaced.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(replaced).toHaveLength(1);
    // So that the jobs it lost before going down are looked for too.
    expect(replaced[0]).toBeGreaterThanOrEqual(500);
  }, 20_000);
});
