// Error codes that mean "the database could not be reached", as opposed to a query
// that failed: socket errors, PostgreSQL's connection-exception class (08) and its
// shutdown / starting-up codes, and Prisma's "can't reach database" codes.
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001",
  "P1002",
  "P1017",
]);

const unreachableMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|DatabaseNotReachable|ConnectionClosed/i;

/**
 * Whether an error (or any error in its cause chain) means PostgreSQL is
 * unreachable right now. Raw queries' errors carry the driver's error in
 * `meta.driverAdapterError` rather than as a cause, so that is followed too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const e = current as {
      code?: unknown;
      originalCode?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: unknown;
    };
    if (typeof e.code === "string" && unreachableCodes.has(e.code)) return true;
    if (typeof e.originalCode === "string" && unreachableCodes.has(e.originalCode)) return true;
    if (typeof e.kind === "string" && /NotReachable|ConnectionClosed|SocketTimeout/.test(e.kind)) return true;
    if (typeof e.message === "string" && unreachableMessages.test(e.message)) return true;
    pending.push(e.cause, (e.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
  }
  return false;
}
