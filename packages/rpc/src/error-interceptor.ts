import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@piperelay/db";
import { FailureError, failureToConnectError } from "./failures.js";
import { requestIdKey } from "./request-log.js";

/**
 * Receives an unexpected error, with the method as `piperelay.v1.Service/Method`
 * and the request's id (empty when unknown), before it is hidden from the client.
 */
export type InternalErrorListener = (error: unknown, method: string, requestId: string) => void;

/**
 * Turns what handlers throw into what clients see: a {@link FailureError}
 * becomes its Connect code, a `ConnectError` passes unchanged, an unreachable
 * database becomes `Code.Unavailable`, and anything
 * else becomes `Code.Internal` with the generic message "internal error" (the
 * original is kept as the cause and reported to `onInternalError`, never sent).
 * Place it first so it also covers the interceptors after it.
 */
export function createErrorInterceptor(onInternalError?: InternalErrorListener): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      if (error instanceof FailureError) {
        const connectError = failureToConnectError(error.failure);
        connectError.cause = error;
        throw connectError;
      }
      // A database outage is the client's cue to retry, not a bug: 503 / UNAVAILABLE.
      if (isDatabaseUnavailable(error)) {
        const connectError = failureToConnectError({ outcome: "unavailable", dependency: "the database" });
        connectError.cause = error;
        throw connectError;
      }
      onInternalError?.(
        error,
        `${req.service.typeName}/${req.method.name}`,
        req.contextValues.get(requestIdKey),
      );
      throw new ConnectError("internal error", Code.Internal, undefined, undefined, error);
    }
  };
}
