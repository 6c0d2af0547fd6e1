import { Code, ConnectError } from "@connectrpc/connect";

/** What went wrong, in words for the page, and what to do about it. */
export interface ErrorDescription {
  title: string;
  hint: string;
  code: Code | undefined;
}

/** Turns an error of a call into a title and a next step for the person reading the page. */
export function describeError(error: unknown): ErrorDescription {
  const connect = ConnectError.from(error);
  const message = connect.rawMessage;
  switch (connect.code) {
    case Code.Unauthenticated:
      return { code: connect.code, title: "You are signed out", hint: "Log in again with the admin token." };
    case Code.PermissionDenied:
      return { code: connect.code, title: "Not allowed", hint: message };
    case Code.NotFound:
      return {
        code: connect.code,
        title: "Not found",
        hint: `${message}. It may have been deleted, or belong to another application.`,
      };
    case Code.InvalidArgument:
      return { code: connect.code, title: "Check the input", hint: message };
    case Code.Unavailable:
      return {
        code: connect.code,
        title: "PipeRelay is unavailable",
        hint: /fetch|network|load failed/i.test(message)
          ? "The dashboard cannot reach the server. Check that PipeRelay is running; this page retries on its own."
          : `${message}. PostgreSQL or NATS may be down: see /api/v1/health. This page retries on its own.`,
      };
    case Code.ResourceExhausted:
      return { code: connect.code, title: "Too large", hint: message };
    default:
      return {
        code: connect.code,
        title: "Something went wrong",
        hint:
          connect.code === Code.Unknown && /fetch/i.test(message)
            ? "The dashboard cannot reach the server. Check that PipeRelay is running."
            : `${message || "The server could not answer."} If it persists, check the server's log.`,
      };
  }
}
