import { useMutation, useQuery } from "@connectrpc/connect-query";
import { DeliveryService, type Endpoint, EndpointService, HealthService } from "@piperelay/proto";
import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { PageHeader } from "../components/app-shell.js";
import { EndpointActivityChart } from "../components/charts.js";
import { ConfirmDialog } from "../components/dialog.js";
import { EndpointFormDialog } from "../components/endpoint-form.js";
import { HealthDot } from "../components/health-dot.js";
import { SecretPanel } from "../components/secret-panel.js";
import { StatCard } from "../components/stat-card.js";
import { EmptyState, ErrorState, InlineError, LoadingState } from "../components/states.js";
import { HttpStatus, StatusBadge, Tag } from "../components/status-badge.js";
import { TestEventDialog } from "../components/test-event-dialog.js";
import { useToast } from "../components/toast.js";
import {
  formatCount,
  formatDateTime,
  formatLatency,
  formatRate,
  formatRelative,
  toDate,
} from "../lib/format.js";
import { Link, useRouter } from "../lib/router.js";
import { useEndpointHealth } from "../lib/use-endpoint-health.js";
import { useWindowStart } from "../lib/use-window-start.js";
import { EndpointToggle, EventTypes } from "./endpoints-page.js";

/** One endpoint: health, switch, secret, stats, chart, recent deliveries, and its actions. */
export function EndpointPage({ id }: { id: string }) {
  const endpoint = useQuery(EndpointService.method.getEndpoint, { id }, { refetchInterval: 10_000 });
  if (endpoint.isPending) return <LoadingState label="Loading the endpoint…" rows={4} />;
  if (endpoint.isError) {
    return (
      <>
        <PageHeader title="Endpoint" />
        <ErrorState error={endpoint.error} onRetry={() => endpoint.refetch()} />
        <p>
          <Link to="/endpoints">← All endpoints</Link>
        </p>
      </>
    );
  }
  const e = endpoint.data.endpoint;
  return e === undefined ? null : <EndpointView endpoint={e} />;
}

function EndpointView({ endpoint }: { endpoint: Endpoint }) {
  const { navigate } = useRouter();
  const [editing, setEditing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const health = useEndpointHealth(endpoint);
  const queryClient = useQueryClient();
  const notify = useToast();
  const remove = useMutation(EndpointService.method.deleteEndpoint, {
    onSuccess: () => {
      notify("Endpoint deleted");
      void queryClient.invalidateQueries();
      navigate("/endpoints");
    },
  });
  return (
    <>
      <p className="breadcrumb">
        <Link to="/endpoints">Endpoints</Link> <span aria-hidden="true">/</span>{" "}
        <span className="mono">{endpoint.id}</span>
      </p>
      <PageHeader
        title={endpoint.url}
        description={endpoint.description || undefined}
        actions={
          <>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setTesting(true)}
              disabled={!endpoint.isActive}
              title={endpoint.isActive ? undefined : "Enable the endpoint to send it a test event"}
            >
              Send test event
            </button>
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" className="button button-danger-outline" onClick={() => setDeleting(true)}>
              Delete
            </button>
          </>
        }
      />
      <div className="endpoint-status">
        <HealthDot health={health} showLabel />
        <span className="endpoint-status-toggle">
          <EndpointToggle endpoint={endpoint} />
          <span>{endpoint.isActive ? "Enabled" : "Disabled: gets no new deliveries"}</span>
        </span>
      </div>
      <EndpointStats endpoint={endpoint} />
      <EndpointChart endpoint={endpoint} />
      <div className="grid-2">
        <SecretPanel endpoint={endpoint} />
        <section className="card" aria-labelledby="settings-title">
          <header className="card-header">
            <h2 id="settings-title">Settings</h2>
          </header>
          <dl className="facts facts-stacked">
            <div>
              <dt>Event types</dt>
              <dd>
                <EventTypes types={endpoint.eventTypes} />
              </dd>
            </div>
            <div>
              <dt>Rate limit</dt>
              <dd>{endpoint.rateLimit === undefined ? "Unlimited" : `${endpoint.rateLimit} per second`}</dd>
            </div>
            <div>
              <dt>Metadata</dt>
              <dd>
                {Object.keys(endpoint.metadata).length === 0 ? (
                  <span className="muted">None</span>
                ) : (
                  <span className="tags">
                    {Object.entries(endpoint.metadata).map(([key, value]) => (
                      <Tag key={key}>{`${key}=${value}`}</Tag>
                    ))}
                  </span>
                )}
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDateTime(toDate(endpoint.createdAt))}</dd>
            </div>
          </dl>
        </section>
      </div>
      <RecentDeliveries endpoint={endpoint} />
      <EndpointFormDialog open={editing} endpoint={endpoint} onClose={() => setEditing(false)} />
      {testing && <TestEventDialog endpoint={endpoint} open={testing} onClose={() => setTesting(false)} />}
      <ConfirmDialog
        open={deleting}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate({ id: endpoint.id })}
        onClose={() => setDeleting(false)}
      >
        <p>
          <span className="mono">{endpoint.url}</span> stops receiving messages, and its delivery history is
          deleted with it. To pause deliveries instead, disable it.
        </p>
        <InlineError error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

function EndpointStats({ endpoint }: { endpoint: Endpoint }) {
  const stats = useQuery(
    EndpointService.method.getEndpointStats,
    { id: endpoint.id },
    { refetchInterval: 5000 },
  );
  if (stats.isPending) return <LoadingState rows={1} />;
  if (stats.isError) return <ErrorState error={stats.error} onRetry={() => stats.refetch()} />;
  const s = stats.data;
  const finished = s.successfulDeliveries + s.failedDeliveries;
  return (
    <div className="stats-grid">
      <StatCard
        label="Deliveries"
        value={formatCount(s.totalDeliveries)}
        note={`${formatCount(s.pendingDeliveries)} pending`}
      />
      <StatCard
        label="Success rate"
        value={finished === 0 ? "—" : formatRate(s.successRate)}
        note={`${formatCount(s.successfulDeliveries)} succeeded`}
      />
      <StatCard
        label="Failed"
        value={formatCount(s.failedDeliveries)}
        tone={s.failedDeliveries > 0 ? "danger" : "default"}
        note={
          s.failedDeliveries > 0 ? (
            <Link to={`/dead-letter?endpoint=${endpoint.id}`}>Review and retry</Link>
          ) : (
            "Retries exhausted"
          )
        }
      />
      <StatCard
        label="Average latency"
        value={s.avgLatencyMs === 0 ? "—" : formatLatency(s.avgLatencyMs)}
        note={`Last attempt ${formatRelative(toDate(s.lastAttemptAt))}`}
      />
    </div>
  );
}

const hour = 3_600_000;

function EndpointChart({ endpoint }: { endpoint: Endpoint }) {
  const since = useWindowStart(24 * hour, hour);
  const series = useQuery(
    HealthService.method.getStatsSeries,
    { endpointId: endpoint.id, since, bucketSeconds: 3600 },
    { refetchInterval: 10_000, placeholderData: keepPreviousData },
  );
  return (
    <section className="card" aria-labelledby="activity-title">
      <header className="card-header">
        <h2 id="activity-title">Activity</h2>
        <span className="muted small">Attempts per hour and mean latency, last 24 h</span>
      </header>
      {series.isError ? (
        <ErrorState error={series.error} onRetry={() => series.refetch()} />
      ) : series.data === undefined ? (
        <LoadingState rows={2} />
      ) : (
        <EndpointActivityChart buckets={series.data.buckets} caption="Attempts per hour for this endpoint" />
      )}
    </section>
  );
}

function RecentDeliveries({ endpoint }: { endpoint: Endpoint }) {
  const list = useQuery(
    DeliveryService.method.listDeliveries,
    { endpointId: endpoint.id, limit: 10 },
    { refetchInterval: 3000 },
  );
  return (
    <section className="card card-flush" aria-labelledby="recent-title">
      <header className="card-header card-header-padded">
        <h2 id="recent-title">Recent deliveries</h2>
      </header>
      {list.isPending ? (
        <LoadingState rows={3} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.deliveries.length === 0 ? (
        <EmptyState title="No deliveries yet">
          Send a test event to check that the endpoint answers, or wait for a message of a subscribed event
          type.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Recent deliveries to this endpoint</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Event type</th>
                <th scope="col">Last response</th>
                <th scope="col" className="hide-sm">
                  Attempts
                </th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Message</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    <StatusBadge status={delivery.status} />
                  </td>
                  <td>
                    <Tag>{delivery.eventType}</Tag>
                  </td>
                  <td className="nowrap">
                    {delivery.lastAttempt === undefined ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        <HttpStatus code={delivery.lastAttempt.statusCode} />{" "}
                        <span className="muted small">{formatLatency(delivery.lastAttempt.latencyMs)}</span>
                      </>
                    )}
                  </td>
                  <td className="hide-sm">{delivery.attemptCount}</td>
                  <td className="nowrap" title={formatDateTime(toDate(delivery.createdAt))}>
                    {formatRelative(toDate(delivery.createdAt))}
                  </td>
                  <td>
                    <Link to={`/messages?id=${delivery.messageId}`} className="small nowrap">
                      View message
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
