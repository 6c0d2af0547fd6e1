import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";

/**
 * Who is calling, as established by the auth interceptor from the
 * Authorization header (or the dashboard's session cookie). `actingAdmin`
 * marks the admin acting as an application it named (`x-piperelay-application`).
 */
export type Caller =
  | { kind: "anonymous" }
  | { kind: "admin" }
  | { kind: "application"; applicationId: string; actingAdmin?: true };

export const callerKey = createContextKey<Caller>({ kind: "anonymous" }, { description: "piperelay caller" });

/** The calling application's id; the interceptor guarantees it for application-scoped methods. */
export function requireApplicationId(ctx: HandlerContext): string {
  const caller = ctx.values.get(callerKey);
  if (caller.kind !== "application") {
    throw new ConnectError("an application API key is required", Code.Unauthenticated);
  }
  return caller.applicationId;
}

/** The caller's application id, or undefined for the admin (who sees every application). */
export function applicationScope(ctx: HandlerContext): string | undefined {
  const caller = ctx.values.get(callerKey);
  if (caller.kind === "application") return caller.applicationId;
  if (caller.kind === "admin") return undefined;
  throw new ConnectError("credentials are required", Code.Unauthenticated);
}
