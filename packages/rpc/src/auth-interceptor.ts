import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ApplicationService, HealthService } from "@piperelay/proto";
import { type Caller, callerKey } from "./caller.js";

/** How the API authenticates callers. */
export interface AuthOptions {
  /** The admin token (`PIPERELAY_ADMIN_TOKEN`); without it, only `openAdmin` grants admin access. */
  adminToken?: string;
  /**
   * Local mode: every caller of an admin method is the admin, whatever token
   * it sends. Only for servers bound to loopback with no admin token.
   */
  openAdmin: boolean;
  /** Returns the id of the application owning the API key, or undefined for an unknown key. */
  resolveApiKey(key: string): Promise<string | undefined>;
}

type Policy = "admin" | "public" | "admin_or_application" | "application";

const policies = new Map<string, Policy>([
  [`${HealthService.typeName}/${HealthService.method.checkHealth.name}`, "public"],
  [`${HealthService.typeName}/${HealthService.method.getStats.name}`, "admin_or_application"],
]);

function policyFor(service: string, method: string): Policy {
  return (
    policies.get(`${service}/${method}`) ??
    (service === ApplicationService.typeName ? "admin" : "application")
  );
}

/**
 * Establishes the {@link Caller} from `Authorization: Bearer <token>` and
 * enforces who may call what: ApplicationService needs the admin token (or
 * `openAdmin`); HealthService.CheckHealth is public; HealthService.GetStats
 * takes the admin token or an application key (no token counts as the admin
 * under `openAdmin`); every other method needs an application API key. The
 * caller is stored under {@link callerKey} for handlers to read.
 */
export function createAuthInterceptor(options: AuthOptions): Interceptor {
  const isAdminToken = adminTokenMatcher(options.adminToken);
  async function authenticate(policy: Policy, token: string | undefined): Promise<Caller> {
    switch (policy) {
      case "public":
        return { kind: "anonymous" };
      case "admin":
        if (options.openAdmin) return { kind: "admin" };
        if (options.adminToken === undefined) {
          throw new ConnectError(
            "application management is disabled: the server has no admin token configured",
            Code.PermissionDenied,
          );
        }
        if (token === undefined) {
          throw new ConnectError("missing Authorization: Bearer <admin_token> header", Code.Unauthenticated);
        }
        if (!isAdminToken(token)) throw new ConnectError("invalid admin token", Code.Unauthenticated);
        return { kind: "admin" };
      case "admin_or_application":
        if (token === undefined && options.openAdmin) return { kind: "admin" };
        if (token !== undefined && isAdminToken(token)) return { kind: "admin" };
        return applicationCaller(token);
      case "application":
        if (token !== undefined && isAdminToken(token)) {
          throw new ConnectError(
            "the admin token cannot be used here: use an application API key",
            Code.Unauthenticated,
          );
        }
        return applicationCaller(token);
      default: {
        const unreachable: never = policy;
        return unreachable;
      }
    }
  }
  async function applicationCaller(token: string | undefined): Promise<Caller> {
    if (token === undefined) {
      throw new ConnectError("missing Authorization: Bearer <api_key> header", Code.Unauthenticated);
    }
    const applicationId = await options.resolveApiKey(token);
    if (applicationId === undefined) throw new ConnectError("unknown API key", Code.Unauthenticated);
    return { kind: "application", applicationId };
  }
  return (next) => async (req) => {
    const policy = policyFor(req.service.typeName, req.method.name);
    const caller = await authenticate(policy, bearerToken(req.header.get("authorization")));
    req.contextValues.set(callerKey, caller);
    return next(req);
  };
}

/** The token of `Bearer <token>` (scheme case-insensitive), or undefined when absent or of another scheme. */
function bearerToken(header: string | null): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** Compares in constant time: both sides are hashed first, so neither content nor length leaks through timing. */
function adminTokenMatcher(adminToken: string | undefined): (token: string) => boolean {
  if (adminToken === undefined || adminToken === "") return () => false;
  const expected = digest(adminToken);
  return (token) => timingSafeEqual(digest(token), expected);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
