import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/** The header with which the admin names the application a call acts as (see docs/dashboard.md). */
export const applicationHeader = "x-piperelay-application";

/**
 * A Connect transport to the API on this origin. The browser sends the
 * session cookie with every call; `applicationId`, when given, goes in the
 * application header so that endpoint, message and delivery calls act as
 * that application. Each application gets its own transport, and TanStack
 * Query keys include the transport, so switching applications never shows
 * another application's cached data.
 */
export function createDashboardTransport(
  applicationId: string | undefined,
  baseUrl: string = window.location.origin,
): Transport {
  const interceptors: Interceptor[] = [];
  if (applicationId !== undefined) {
    interceptors.push((next) => (req) => {
      req.header.set(applicationHeader, applicationId);
      return next(req);
    });
  }
  return createConnectTransport({
    baseUrl,
    interceptors,
    fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
  });
}
