import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Delivery, DeliveryService, MessageService } from "@piperelay/proto";
import { useQueryClient } from "@tanstack/react-query";
import { formatDateTime, formatRelative, toDate } from "../lib/format.js";
import { AttemptsTable } from "./attempts-table.js";
import { CopyButton, JsonView } from "./json-view.js";
import { ErrorState, InlineError, LoadingState } from "./states.js";
import { StatusBadge, Tag } from "./status-badge.js";
import { useToast } from "./toast.js";

/** A message in full: payload, and each delivery with every attempt; failed deliveries can be retried. */
export function MessageDetails({ messageId }: { messageId: string }) {
  const message = useQuery(MessageService.method.getMessage, { id: messageId }, { refetchInterval: 3000 });
  const queryClient = useQueryClient();
  const notify = useToast();
  const retryAll = useMutation(MessageService.method.retryMessage, {
    onSuccess: (response) => {
      notify(
        `Queued ${response.deliveriesRequeued} failed deliver${response.deliveriesRequeued === 1 ? "y" : "ies"} again`,
      );
      void queryClient.invalidateQueries();
    },
  });
  if (message.isPending) return <LoadingState label="Loading the message…" rows={3} />;
  if (message.isError) return <ErrorState error={message.error} onRetry={() => message.refetch()} />;
  const m = message.data.message;
  if (m === undefined) return null;
  const failed = m.deliveries.filter((delivery) => delivery.status === "failed").length;
  return (
    <div className="message-details">
      <dl className="facts">
        <div>
          <dt>Message</dt>
          <dd className="mono">
            {m.id} <CopyButton text={m.id} label="Copy message id" />
          </dd>
        </div>
        <div>
          <dt>Event type</dt>
          <dd>
            <Tag>{m.eventType}</Tag>
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={m.status} />
          </dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>{formatDateTime(toDate(m.timestamp))}</dd>
        </div>
        {m.idempotencyKey !== "" && (
          <div>
            <dt>Idempotency key</dt>
            <dd className="mono">{m.idempotencyKey}</dd>
          </div>
        )}
      </dl>
      <JsonView value={m.payload === undefined ? null : toJson(ValueSchema, m.payload)} label="Payload" />
      <div className="section-row">
        <h3>
          Deliveries <span className="muted">({m.deliveries.length})</span>
        </h3>
        {failed > 0 && (
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => retryAll.mutate({ id: m.id })}
            disabled={retryAll.isPending}
          >
            {retryAll.isPending ? "Retrying…" : `Retry ${failed} failed`}
          </button>
        )}
      </div>
      <InlineError error={retryAll.error} />
      {m.deliveries.length === 0 ? (
        <p className="muted">
          No endpoint was subscribed to this event type when it arrived, so nothing was sent.
        </p>
      ) : (
        m.deliveries.map((delivery) => <DeliveryCard key={delivery.id} delivery={delivery} />)
      )}
    </div>
  );
}

/** One delivery with its attempts and, when failed, a retry button. */
export function DeliveryCard({ delivery }: { delivery: Delivery }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const retry = useMutation(DeliveryService.method.retryDeliveries, {
    onSuccess: (response) => {
      notify(
        response.deliveriesRequeued === 1
          ? "Delivery queued again"
          : "Nothing to retry: it is no longer failed",
      );
      void queryClient.invalidateQueries();
    },
  });
  const nextRetry = toDate(delivery.nextRetryAt);
  return (
    <article className="delivery" aria-label={`Delivery to ${delivery.endpointUrl}`}>
      <header className="delivery-header">
        <div className="delivery-target">
          <StatusBadge status={delivery.status} />
          <span className="mono truncate" title={delivery.endpointUrl}>
            {delivery.endpointUrl}
          </span>
        </div>
        <div className="delivery-meta">
          <span className="muted small">
            {delivery.attemptCount} attempt{delivery.attemptCount === 1 ? "" : "s"}
            {delivery.status === "retrying" &&
              nextRetry !== undefined &&
              ` · next ${formatRelative(nextRetry)}`}
          </span>
          {delivery.status === "failed" && (
            <button
              type="button"
              className="button button-small"
              onClick={() => retry.mutate({ ids: [delivery.id] })}
              disabled={retry.isPending}
            >
              {retry.isPending ? "Retrying…" : "Retry"}
            </button>
          )}
        </div>
      </header>
      <InlineError error={retry.error} />
      <AttemptsTable attempts={delivery.attempts} />
    </article>
  );
}
