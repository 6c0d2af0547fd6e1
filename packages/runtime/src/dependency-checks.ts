import type { Clients } from "./clients.js";

export interface DependencyCheck {
  name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)),
  ]);
}

/** Health checks of PostgreSQL and NATS for the health RPC. */
export function dependencyChecks(clients: Pick<Clients, "database" | "nc">, timeoutMs = 2000): DependencyCheck[] {
  return [
    {
      name: "postgres",
      check: async () => {
        await withTimeout(clients.database.pool.query("SELECT 1"), timeoutMs, "PostgreSQL");
      },
    },
    {
      name: "nats",
      check: async () => {
        if (clients.nc.isClosed()) throw new Error("connection closed");
        await withTimeout(clients.nc.flush(), timeoutMs, "NATS");
      },
    },
  ];
}
