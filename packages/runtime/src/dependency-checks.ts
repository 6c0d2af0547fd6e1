import type { Clients } from "./clients.js";

export interface DependencyCheck {
  /** As the API shows it: `postgres` or `nats`. */
  name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

/** Health checks of PostgreSQL and NATS; the health service applies the timeout. */
export function dependencyChecks(clients: Pick<Clients, "database" | "nc">): DependencyCheck[] {
  return [
    {
      name: "postgres",
      check: async () => {
        await clients.database.pool.query("SELECT 1");
      },
    },
    {
      name: "nats",
      check: async () => {
        if (clients.nc.isClosed()) throw new Error("connection closed");
        await clients.nc.flush();
      },
    },
  ];
}
