import { toJson } from "@bufbuild/protobuf";
import { timestampFromDate, ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Delivery, DeliveryService, EndpointService, MessageService } from "@piperelay/proto";
import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { Fragment, useEffect, useRef, useState } from "react";
import { PageHeader } from "../components/app-shell.js";
import { AttemptsTable } from "../components/attempts-table.js";
import { ConfirmDialog } from "../components/dialog.js";
import { JsonView } from "../components/json-view.js";
import { Pager } from "../components/pager.js";
import { EmptyState, ErrorState, InlineError, LoadingState } from "../components/states.js";
import { HttpStatus, Tag } from "../components/status-badge.js";
import { useToast } from "../components/toast.js";
import { formatDateTime, formatRelative, parseLocalDateTime, toDate } from "../lib/format.js";
import { Link, useRouter } from "../lib/router.js";
import { useCursorPages } from "../lib/use-cursor-pages.js";
import { useDebounced } from "../lib/use-debounced.js";

/** Failed deliveries across messages: inspect them, retry a selection or everything matching the filters. */
export function DeadLetterPage() {
  const { location } = useRouter();
  const [endpointId, setEndpointId] = useState(location.search.get("endpoint") ?? "");
  const [eventType, setEventType] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<string | undefined>();
  const [confirmAll, setConfirmAll] = useState(false);
  const pages = useCursorPages();
  const settledEventType = useDebounced(eventType.trim());
  const since = parseLocalDateTime(from);
  const until = parseLocalDateTime(to);
  const filters = {
    endpointId,
    eventType: settledEventType,
    since: since && timestampFromDate(since),
    until: until && timestampFromDate(until),
  };
  const { reset } = pages;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of any filter starts again at the first page.
  useEffect(() => {
    reset();
    setSelected(new Set());
  }, [endpointId, settledEventType, from, to, reset]);

  const endpoints = useQuery(EndpointService.method.listEndpoints, { limit: 200 });
  const list = useQuery(
    DeliveryService.method.listDeliveries,
    { status: "failed", ...filters, limit: 50, cursor: pages.cursor },
    { refetchInterval: 5000, placeholderData: keepPreviousData },
  );
  const queryClient = useQueryClient();
  const notify = useToast();
  const retry = useMutation(DeliveryService.method.retryDeliveries, {
    onSuccess: (response) => {
      const n = response.deliveriesRequeued;
      notify(
        n === 0
          ? "Nothing to retry: those deliveries are no longer failed"
          : `Queued ${n} deliver${n === 1 ? "y" : "ies"} for retry`,
      );
      setSelected(new Set());
      setConfirmAll(false);
      void queryClient.invalidateQueries();
    },
  });
  const filtered = endpointId !== "" || settledEventType !== "" || from !== "" || to !== "";
  const rows = list.data?.deliveries ?? [];
  const allOnPage = rows.length > 0 && rows.every((row) => selected.has(row.id));
  const someOnPage = rows.some((row) => selected.has(row.id));
  const toggleAll = () => setSelected(allOnPage ? new Set() : new Set(rows.map((row) => row.id)));
  const toggleOne = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title="Dead letter queue"
        description="Deliveries that exhausted their retries. Fix the receiver, then retry them: each gets a fresh round of attempts."
        actions={
          <>
            <button
              type="button"
              className="button button-primary"
              disabled={selected.size === 0 || retry.isPending}
              onClick={() => retry.mutate({ ids: [...selected] })}
            >
              Retry selected{selected.size > 0 ? ` (${selected.size})` : ""}
            </button>
            <button
              type="button"
              className="button"
              disabled={rows.length === 0}
              onClick={() => setConfirmAll(true)}
            >
              {filtered ? "Retry all matching…" : "Retry all…"}
            </button>
          </>
        }
      />
      <InlineError error={retry.error} />
      <form
        className="filters"
        aria-label="Filter failed deliveries"
        onSubmit={(event) => event.preventDefault()}
      >
        <div className="field">
          <label htmlFor="dlq-endpoint" className="field-label">
            Endpoint
          </label>
          <select
            id="dlq-endpoint"
            className="select"
            value={endpointId}
            onChange={(event) => setEndpointId(event.target.value)}
          >
            <option value="">All endpoints</option>
            {endpoints.data?.endpoints.map((endpoint) => (
              <option key={endpoint.id} value={endpoint.id}>
                {endpoint.url}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dlq-event-type" className="field-label">
            Event type
          </label>
          <input
            id="dlq-event-type"
            className="input"
            placeholder="e.g. alert.triggered"
            value={eventType}
            onChange={(event) => setEventType(event.target.value)}
          />
        </div>
        <div className="field field-wide">
          <label htmlFor="dlq-from" className="field-label">
            Created from
          </label>
          <input
            id="dlq-from"
            type="datetime-local"
            className="input"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
          />
        </div>
        <div className="field field-wide">
          <label htmlFor="dlq-to" className="field-label">
            To
          </label>
          <input
            id="dlq-to"
            type="datetime-local"
            className="input"
            value={to}
            onChange={(event) => setTo(event.target.value)}
          />
        </div>
      </form>

      <section className="card card-flush" aria-label="Failed deliveries">
        {list.isPending ? (
          <LoadingState label="Loading failed deliveries…" rows={5} />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? "No failed deliveries match these filters" : "No failed deliveries"}>
            {filtered
              ? "Try another endpoint or a wider time range."
              : "Nothing needs attention. A delivery lands here when every attempt of its retry schedule failed."}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Failed deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col" className="col-check">
                    <SelectAll
                      checked={allOnPage}
                      indeterminate={!allOnPage && someOnPage}
                      onChange={toggleAll}
                    />
                  </th>
                  <th scope="col" className="col-toggle">
                    <span className="visually-hidden">Details</span>
                  </th>
                  <th scope="col">Event type</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Last error</th>
                  <th scope="col" className="hide-sm">
                    Attempts
                  </th>
                  <th scope="col">Failed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((delivery) => {
                  const open = expanded === delivery.id;
                  const failedAt = toDate(delivery.completedAt);
                  return (
                    <Fragment key={delivery.id}>
                      <tr className={open ? "row-open" : undefined}>
                        <td className="col-check">
                          <input
                            type="checkbox"
                            className="checkbox"
                            checked={selected.has(delivery.id)}
                            onChange={() => toggleOne(delivery.id)}
                            aria-label={`Select delivery ${delivery.id}`}
                          />
                        </td>
                        <td className="col-toggle">
                          <button
                            type="button"
                            className="button button-ghost button-icon expander"
                            aria-expanded={open}
                            aria-controls={`dlq-${delivery.id}`}
                            aria-label={`${open ? "Hide" : "Show"} details of ${delivery.id}`}
                            onClick={() => setExpanded(open ? undefined : delivery.id)}
                          >
                            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                          </button>
                        </td>
                        <td>
                          <Tag>{delivery.eventType}</Tag>
                        </td>
                        <td className="mono small truncate-cell" title={delivery.endpointUrl}>
                          {delivery.endpointUrl}
                        </td>
                        <td className="last-error">
                          {delivery.lastAttempt !== undefined && (
                            <HttpStatus code={delivery.lastAttempt.statusCode} />
                          )}{" "}
                          <span className="muted small">{delivery.lastAttempt?.error}</span>
                        </td>
                        <td className="hide-sm">{delivery.attemptCount}</td>
                        <td className="nowrap" title={formatDateTime(failedAt)}>
                          {formatRelative(failedAt)}
                        </td>
                      </tr>
                      {open && (
                        <tr className="row-details" id={`dlq-${delivery.id}`}>
                          <td colSpan={7}>
                            <DeadLetterDetails delivery={delivery} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {list.data !== undefined && (
          <Pager
            page={pages.page}
            nextCursor={list.data.nextCursor}
            onPrevious={pages.previous}
            onNext={pages.next}
          />
        )}
      </section>
      <ConfirmDialog
        open={confirmAll}
        title={
          filtered ? "Retry every failed delivery matching the filters?" : "Retry every failed delivery?"
        }
        confirmLabel="Retry all"
        busy={retry.isPending}
        onConfirm={() => retry.mutate({ allMatching: true, ...filters })}
        onClose={() => setConfirmAll(false)}
      >
        <p>
          Every failed delivery{filtered ? " matching the filters" : " of this application"}, on every page,
          is queued again for a fresh round of attempts. Make sure the receivers are fixed first.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** A header checkbox that selects every row on the page, showing "some" as indeterminate. */
function SelectAll({
  checked,
  indeterminate,
  onChange,
}: {
  checked: boolean;
  indeterminate: boolean;
  onChange: () => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current !== null) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="checkbox"
      checked={checked}
      onChange={onChange}
      aria-label="Select every delivery on this page"
    />
  );
}

/** The payload of the delivery's message and every attempt with its error. */
function DeadLetterDetails({ delivery }: { delivery: Delivery }) {
  const message = useQuery(MessageService.method.getMessage, { id: delivery.messageId });
  const full = useQuery(DeliveryService.method.getDelivery, { id: delivery.id }, { refetchInterval: 5000 });
  return (
    <div className="dlq-details">
      <div>
        <div className="section-row">
          <h3>Payload</h3>
          <Link to={`/messages?id=${delivery.messageId}`} className="small" title={delivery.messageId}>
            Open the message →
          </Link>
        </div>
        {message.isPending ? (
          <LoadingState rows={2} />
        ) : message.isError ? (
          <ErrorState error={message.error} onRetry={() => message.refetch()} />
        ) : (
          <JsonView
            value={
              message.data.message?.payload === undefined
                ? null
                : toJson(ValueSchema, message.data.message.payload)
            }
            label="Payload"
          />
        )}
      </div>
      <div>
        <h3>Attempts</h3>
        {full.isPending ? (
          <LoadingState rows={2} />
        ) : full.isError ? (
          <ErrorState error={full.error} onRetry={() => full.refetch()} />
        ) : (
          <AttemptsTable attempts={full.data.delivery?.attempts ?? []} />
        )}
      </div>
    </div>
  );
}
