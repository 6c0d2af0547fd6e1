import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@connectrpc/connect-query";
import { DeliveryService, MessageService } from "@piperelay/proto";
import { keepPreviousData, skipToken } from "@tanstack/react-query";
import { type FormEvent, Fragment, useEffect, useState } from "react";
import { PageHeader } from "../components/app-shell.js";
import { MessageDetails } from "../components/message-details.js";
import { Pager } from "../components/pager.js";
import { EmptyState, ErrorState, LoadingState } from "../components/states.js";
import { StatusBadge, Tag } from "../components/status-badge.js";
import { formatDateTime, formatRelative, parseLocalDateTime, toDate } from "../lib/format.js";
import { useRouter } from "../lib/router.js";
import { useCursorPages } from "../lib/use-cursor-pages.js";
import { useDebounced } from "../lib/use-debounced.js";

const pageSize = 25;

/** Messages, newest first, with filters, id search, pagination and inline details. */
export function MessagesPage() {
  const { location, navigate } = useRouter();
  const openId = location.search.get("id") ?? undefined;
  const [eventType, setEventType] = useState("");
  const [status, setStatus] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [expanded, setExpanded] = useState<string | undefined>();
  const pages = useCursorPages();
  const settledEventType = useDebounced(eventType.trim());
  const since = parseLocalDateTime(from);
  const until = parseLocalDateTime(to);
  const { reset } = pages;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a change of any filter starts again at the first page.
  useEffect(() => reset(), [settledEventType, status, from, to, reset]);

  const list = useQuery(
    MessageService.method.listMessages,
    {
      eventType: settledEventType,
      status,
      since: since && timestampFromDate(since),
      until: until && timestampFromDate(until),
      limit: pageSize,
      cursor: pages.cursor,
    },
    { refetchInterval: 5000, placeholderData: keepPreviousData },
  );
  const filtered = settledEventType !== "" || status !== "" || from !== "" || to !== "";
  const clear = () => {
    setEventType("");
    setStatus("");
    setFrom("");
    setTo("");
  };

  return (
    <>
      <PageHeader
        title="Messages"
        description="Every event your application sent, newest first. Updates live."
      />
      <IdSearch onOpen={(id) => navigate(`/messages?id=${encodeURIComponent(id)}`)} />
      {openId !== undefined && (
        <section className="card card-highlight" aria-labelledby="opened-title">
          <header className="card-header">
            <h2 id="opened-title" className="mono">
              {openId}
            </h2>
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => navigate("/messages")}
            >
              Close
            </button>
          </header>
          <MessageDetails messageId={openId} />
        </section>
      )}
      <form className="filters" aria-label="Filter messages" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-event-type" className="field-label">
            Event type
          </label>
          <input
            id="filter-event-type"
            className="input"
            placeholder="e.g. session.completed"
            value={eventType}
            onChange={(event) => setEventType(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-status" className="field-label">
            Status
          </label>
          <select
            id="filter-status"
            className="select"
            value={status}
            onChange={(event) => setStatus(event.target.value)}
          >
            <option value="">Any status</option>
            <option value="pending">Pending</option>
            <option value="delivered">Delivered</option>
            <option value="failed">Failed</option>
          </select>
        </div>
        <div className="field field-wide">
          <label htmlFor="filter-from" className="field-label">
            From
          </label>
          <input
            id="filter-from"
            type="datetime-local"
            className="input"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
          />
        </div>
        <div className="field field-wide">
          <label htmlFor="filter-to" className="field-label">
            To
          </label>
          <input
            id="filter-to"
            type="datetime-local"
            className="input"
            value={to}
            onChange={(event) => setTo(event.target.value)}
          />
        </div>
        {filtered && (
          <button type="button" className="button button-ghost filters-clear" onClick={clear}>
            Clear filters
          </button>
        )}
      </form>

      <section
        className="card card-flush"
        aria-label="Messages"
        aria-busy={list.isFetching && list.isPlaceholderData}
      >
        {list.isPending ? (
          <LoadingState label="Loading messages…" rows={6} />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.data.messages.length === 0 ? (
          filtered ? (
            <EmptyState
              title="No messages match these filters"
              action={
                <button type="button" className="button" onClick={clear}>
                  Clear filters
                </button>
              }
            >
              Event types match exactly (no wildcards here), and the time range is in your browser's time
              zone.
            </EmptyState>
          ) : (
            <EmptyState title="No messages yet">
              Messages appear here as soon as your application sends them with{" "}
              <code>POST /api/v1/messages</code>, or when you send a test event from an endpoint.
            </EmptyState>
          )
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Messages, newest first</caption>
              <thead>
                <tr>
                  <th scope="col" className="col-toggle">
                    <span className="visually-hidden">Details</span>
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Event type</th>
                  <th scope="col" className="hide-sm">
                    Message
                  </th>
                  <th scope="col" className="hide-sm">
                    Endpoints
                  </th>
                  <th scope="col">Received</th>
                </tr>
              </thead>
              <tbody>
                {list.data.messages.map((message) => {
                  const open = expanded === message.id;
                  const at = toDate(message.timestamp);
                  return (
                    <Fragment key={message.id}>
                      <tr className={open ? "row-open" : undefined}>
                        <td className="col-toggle">
                          <button
                            type="button"
                            className="button button-ghost button-icon expander"
                            aria-expanded={open}
                            aria-controls={`details-${message.id}`}
                            aria-label={`${open ? "Hide" : "Show"} details of ${message.id}`}
                            onClick={() => setExpanded(open ? undefined : message.id)}
                          >
                            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
                          </button>
                        </td>
                        <td>
                          <StatusBadge status={message.status} />
                        </td>
                        <td>
                          <Tag>{message.eventType}</Tag>
                        </td>
                        <td className="mono small hide-sm">{message.id}</td>
                        <td className="hide-sm">{message.endpointsTargeted}</td>
                        <td className="nowrap" title={formatDateTime(at)}>
                          {formatRelative(at)}
                        </td>
                      </tr>
                      {open && (
                        <tr className="row-details" id={`details-${message.id}`}>
                          <td colSpan={6}>
                            <MessageDetails messageId={message.id} />
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
    </>
  );
}

/** Finds a message by its id, or by the id of one of its deliveries. */
function IdSearch({ onOpen }: { onOpen: (messageId: string) => void }) {
  const [text, setText] = useState("");
  const [deliveryId, setDeliveryId] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const delivery = useQuery(
    DeliveryService.method.getDelivery,
    deliveryId === undefined ? skipToken : { id: deliveryId },
  );
  useEffect(() => {
    const messageId = delivery.data?.delivery?.messageId;
    if (messageId !== undefined) {
      setDeliveryId(undefined);
      onOpen(messageId);
    }
  }, [delivery.data, onOpen]);
  useEffect(() => {
    if (delivery.isError) setProblem(`No delivery ${deliveryId} in this application.`);
  }, [delivery.isError, deliveryId]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = text.trim();
    setProblem(undefined);
    if (id.startsWith("msg_")) onOpen(id);
    else if (id.startsWith("dlv_")) setDeliveryId(id);
    else
      setProblem(
        "Enter a message id (msg_…) or a delivery id (dlv_…). To filter by event type, use the filters below.",
      );
  };
  return (
    <search>
      <form className="search" onSubmit={submit}>
        <label htmlFor="id-search" className="visually-hidden">
          Find a message by id
        </label>
        <input
          id="id-search"
          className="input input-search"
          placeholder="Find by message or delivery id (msg_… / dlv_…)"
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-describedby={problem !== undefined ? "id-search-problem" : undefined}
        />
        <button type="submit" className="button">
          Find
        </button>
        {problem !== undefined && (
          <p id="id-search-problem" className="inline-error" role="alert">
            {problem}
          </p>
        )}
      </form>
    </search>
  );
}
