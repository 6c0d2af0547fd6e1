import { Code, ConnectError } from "@connectrpc/connect";

/**
 * What domain code returns when a request cannot be served. Handlers return or
 * throw these; {@link failureToConnectError} is the one place that turns them
 * into Connect codes (and, through {@link httpStatusForCode}, HTTP statuses).
 */
export type Failure =
  | { outcome: "invalid_argument"; field: string; reason: string }
  | { outcome: "not_found"; resource: string; id: string }
  | { outcome: "already_exists"; resource: string; reason: string }
  /** `field` names the payload when a request carries several (`messages[3].payload`). */
  | { outcome: "payload_too_large"; size: number; limit: number; field?: string }
  | { outcome: "unauthenticated"; reason: string }
  | { outcome: "permission_denied"; reason: string }
  /** Lost to concurrent changes; nothing was done, and the same request may be sent again. */
  | { outcome: "aborted"; reason: string }
  | { outcome: "unavailable"; dependency: string };

/** A {@link Failure} in exception form, for code paths where returning is awkward. */
export class FailureError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure, options?: ErrorOptions) {
    super(describeFailure(failure), options);
    this.name = "FailureError";
    this.failure = failure;
  }
}

/** Throws the failure as a FailureError; for use in expression position. */
export function fail(failure: Failure): never {
  throw new FailureError(failure);
}

export function describeFailure(failure: Failure): string {
  switch (failure.outcome) {
    case "invalid_argument":
      return `${failure.field}: ${failure.reason}`;
    case "not_found":
      return `${failure.resource} ${JSON.stringify(failure.id)} not found`;
    case "already_exists":
      return `${failure.resource} already exists: ${failure.reason}`;
    case "payload_too_large":
      return `${failure.field ?? "payload"} is ${failure.size} bytes, more than the limit of ${failure.limit} bytes`;
    case "unauthenticated":
      return failure.reason;
    case "permission_denied":
      return failure.reason;
    case "aborted":
      return `${failure.reason}; nothing was done, send the request again`;
    case "unavailable":
      return `${failure.dependency} is unavailable, try again shortly`;
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

export function failureToConnectError(failure: Failure): ConnectError {
  return new ConnectError(describeFailure(failure), codeForFailure(failure));
}

function codeForFailure(failure: Failure): Code {
  switch (failure.outcome) {
    case "invalid_argument":
      return Code.InvalidArgument;
    case "not_found":
      return Code.NotFound;
    case "already_exists":
      return Code.AlreadyExists;
    case "payload_too_large":
      // gRPC's own code for an oversized message; REST answers it with 413.
      return Code.ResourceExhausted;
    case "unauthenticated":
      return Code.Unauthenticated;
    case "permission_denied":
      return Code.PermissionDenied;
    case "aborted":
      return Code.Aborted;
    case "unavailable":
      return Code.Unavailable;
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

const httpStatusByCode: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  // PipeRelay's API raises ResourceExhausted only for oversized requests.
  [Code.ResourceExhausted]: 413,
  [Code.FailedPrecondition]: 409,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** The HTTP status the REST API answers for a Connect code. */
export function httpStatusForCode(code: Code): number {
  return httpStatusByCode[code];
}
