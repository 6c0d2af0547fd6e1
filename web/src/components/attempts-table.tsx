import type { Attempt } from "@piperelay/proto";
import { formatDateTime, formatLatency, formatRelative, toDate } from "../lib/format.js";
import { TextBlock } from "./json-view.js";
import { HttpStatus } from "./status-badge.js";

/** Every attempt of a delivery: status code, latency, time, error, and the response body on demand. */
export function AttemptsTable({ attempts }: { attempts: readonly Attempt[] }) {
  if (attempts.length === 0)
    return <p className="muted small">No attempt yet: the first one is on its way.</p>;
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="visually-hidden">Attempts</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Response</th>
            <th scope="col">Latency</th>
            <th scope="col">Time</th>
            <th scope="col">Error and body</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => {
            const at = toDate(attempt.timestamp);
            return (
              <tr key={attempt.attemptNumber}>
                <td className="mono">{attempt.attemptNumber}</td>
                <td>
                  <HttpStatus code={attempt.statusCode} />
                </td>
                <td className="mono nowrap">{formatLatency(attempt.latencyMs)}</td>
                <td className="nowrap" title={formatDateTime(at)}>
                  {formatRelative(at)}
                </td>
                <td className="attempt-detail">
                  {attempt.error !== "" && <span className="error-text">{attempt.error}</span>}
                  <details>
                    <summary>Response body</summary>
                    <TextBlock text={attempt.responseBody} label="Response body" />
                  </details>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
