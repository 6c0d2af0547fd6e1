import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ApplicationService, HealthService } from "@piperelay/proto";
import { type Caller, callerKey } from "./caller.js";

/**
 * The request header with which the admin names the application an
 * application-scoped call acts as (the dashboard sends it on every call).
 * Honoured only for admin callers; with other credentials it is refused.
 */
export const actAsApplicationHeader = "x-piperelay-application";

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
  /**
   * A second admin credential for requests without an Authorization header:
   * true when the request carries a valid dashboard session cookie. Unset:
   * only the admin token makes the admin.
   */
  isAdminSession?(header: Headers): boolean;
  /**
   * Whether an application exists, to check the {@link actAsApplicationHeader}
   * the admin sends. Unset: that header is refused.
   */
  applicationExists?(id: string): Promise<boolean>;
}

type Policy = "admin" | "public" | "admin_or_application" | "application";

const policies = new Map<string, Policy>([
  [`${HealthService.typeName}/${HealthService.method.checkHealth.name}`, "public"],
  [`${HealthService.typeName}/${HealthService.method.checkLiveness.name}`, "public"],
  [`${HealthService.typeName}/${HealthService.method.checkReadiness.name}`, "public"],
  [`${HealthService.typeName}/${HealthService.method.getStats.name}`, "admin_or_application"],
  [`${HealthService.typeName}/${HealthService.method.getStatsSeries.name}`, "admin_or_application"],
]);

function policyFor(service: string, method: string): Policy {
  return (
    policies.get(`${service}/${method}`) ??
    (service === ApplicationService.typeName ? "admin" : "application")
  );
}

/** What a request presents: its bearer token, whether it is the admin, and the application it names. */
interface Credentials {
  token: string | undefined;
  /** The admin token, a dashboard session (when no token is sent), or no token under `openAdmin`. */
  admin: boolean;
  /** The {@link actAsApplicationHeader}, if sent and not blank. */
  actAs: string | undefined;
}

/**
 * Establishes the {@link Caller} and enforces who may call what:
 * ApplicationService needs the admin; HealthService's CheckHealth, CheckLiveness and CheckReadiness are public;
 * HealthService.GetStats and GetStatsSeries take the admin or an application
 * key; every other method needs an application API key, or the admin naming
 * an application with the {@link actAsApplicationHeader}, who then acts as
 * that application. The admin is `Authorization: Bearer <admin token>`, a
 * dashboard session cookie on a request without an Authorization header
 * (see `isAdminSession`), or anyone sending no token under `openAdmin`. The
 * caller is stored under {@link callerKey} for handlers to read.
 */
export function createAuthInterceptor(options: AuthOptions): Interceptor {
  const isAdminToken = adminTokenMatcher(options.adminToken);

  function credentials(header: Headers): Credentials {
    const token = bearerToken(header.get("authorization"));
    const admin =
      token === undefined
        ? options.openAdmin || (options.isAdminSession?.(header) ?? false)
        : isAdminToken(token);
    const actAs = header.get(actAsApplicationHeader)?.trim() || undefined;
    return { token, admin, actAs };
  }

  async function authenticate(policy: Policy, creds: Credentials): Promise<Caller> {
    const { token } = creds;
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
        if (creds.admin) return { kind: "admin" };
        if (token === undefined) {
          throw new ConnectError("missing Authorization: Bearer <admin_token> header", Code.Unauthenticated);
        }
        throw new ConnectError("invalid admin token", Code.Unauthenticated);
      case "admin_or_application":
        if (creds.actAs !== undefined) return actingAdmin(creds);
        if (creds.admin) return { kind: "admin" };
        return applicationCaller(token);
      case "application":
        if (creds.actAs !== undefined) return actingAdmin(creds);
        if (token !== undefined && isAdminToken(token)) {
          throw new ConnectError(
            `the admin token cannot be used here: use an application API key, or name the application with the ${actAsApplicationHeader} header`,
            Code.Unauthenticated,
          );
        }
        if (token === undefined && creds.admin && !options.openAdmin) {
          throw new ConnectError(
            `the dashboard session acts as the admin: name the application with the ${actAsApplicationHeader} header`,
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

  /** The admin acting as the application it names; anyone else naming one is refused. */
  async function actingAdmin(creds: Credentials): Promise<Caller> {
    if (!creds.admin) {
      throw new ConnectError(
        `the ${actAsApplicationHeader} header needs admin credentials (the admin token or a dashboard session)`,
        Code.Unauthenticated,
      );
    }
    const applicationId = creds.actAs ?? "";
    const known =
      /^app_[A-Za-z0-9]{1,64}$/.test(applicationId) &&
      (await options.applicationExists?.(applicationId)) === true;
    if (!known) {
      throw new ConnectError(
        `${actAsApplicationHeader}: application ${JSON.stringify(applicationId)} not found`,
        Code.NotFound,
      );
    }
    return { kind: "application", applicationId, actingAdmin: true };
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
    const caller = await authenticate(policy, credentials(req.header));
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
