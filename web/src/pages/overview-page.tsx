import { useQuery } from "@connectrpc/connect-query";
import { DeliveryService, HealthService } from "@piperelay/proto";
import { keepPreviousData } from "@tanstack/react-query";
import { PageHeader } from "../components/app-shell.js";
import { SuccessRateChart, ThroughputChart } from "../components/charts.js";
import { StatCard } from "../components/stat-card.js";
import { EmptyState, ErrorState, LoadingState } from "../components/states.js";
import { HttpStatus, Tag } from "../components/status-badge.js";
import { useApplication } from "../lib/application-context.js";
import { formatCount, formatLatency, formatRate, formatRelative, toDate } from "../lib/format.js";
import { Link } from "../lib/router.js";
import { useWindowStart } from "../lib/use-window-start.js";

const minute = 60_000;
const hour = 60 * minute;

/** Counts, rates, latency, live throughput and what needs attention, for the selected application. */
export function OverviewPage() {
  const { current } = useApplication();
  const stats = useQuery(HealthService.method.getStats, {}, { refetchInterval: 5000 });
  const liveSince = useWindowStart(30 * minute, minute);
  const live = useQuery(
    HealthService.method.getStatsSeries,
    { since: liveSince, bucketSeconds: 60 },
    { refetchInterval: 5000, placeholderData: keepPreviousData },
  );
  const daySince = useWindowStart(24 * hour, hour);
  const day = useQuery(
    HealthService.method.getStatsSeries,
    { since: daySince, bucketSeconds: 3600 },
    { refetchInterval: 30_000, placeholderData: keepPreviousData },
  );
  const failures = useQuery(
    DeliveryService.method.listDeliveries,
    { status: "failed", limit: 5 },
    { refetchInterval: 10_000 },
  );

  if (stats.isPending) return <LoadingState label="Loading the overview…" rows={4} />;
  if (stats.isError) return <ErrorState error={stats.error} onRetry={() => stats.refetch()} />;
  const s = stats.data;
  const finished = s.deliveriesSucceeded + s.deliveriesFailed;

  return (
    <>
      <PageHeader
        title="Overview"
        description={
          <>
            How <strong>{current.name}</strong>'s webhooks are doing. Updates every few seconds.
          </>
        }
      />
      {s.messagesThisMonth === 0 && s.activeEndpoints === 0 && (
        <EmptyState
          title="No webhooks yet"
          action={
            <Link to="/endpoints?new=1" className="button button-primary">
              Add an endpoint
            </Link>
          }
        >
          <p>
            Add an endpoint for a customer's URL, then send a message with this application's API key to{" "}
            <code>POST /api/v1/messages</code>. Deliveries, retries and failures show up here as they happen.
          </p>
        </EmptyState>
      )}
      <div className="stats-grid">
        <StatCard label="Messages today" value={formatCount(s.messagesToday)} note="Since midnight UTC" />
        <StatCard label="Messages this week" value={formatCount(s.messagesThisWeek)} note="Last 7 days" />
        <StatCard label="Messages this month" value={formatCount(s.messagesThisMonth)} note="Last 30 days" />
        <StatCard
          label="Success rate"
          value={finished === 0 ? "—" : formatRate(s.successRate)}
          tone={finished > 0 && s.successRate < 0.95 ? "danger" : "default"}
          note={
            finished === 0
              ? "No finished deliveries yet"
              : `${formatCount(s.deliveriesSucceeded)} of ${formatCount(finished)} finished deliveries`
          }
        />
        <StatCard
          label="Average latency"
          value={s.avgLatencyMs === 0 ? "—" : formatLatency(s.avgLatencyMs)}
          note="Attempts in the last 24 h"
        />
        <StatCard
          label="p95 latency"
          value={s.p95LatencyMs === 0 ? "—" : formatLatency(s.p95LatencyMs)}
          note="Attempts in the last 24 h"
        />
        <StatCard
          label="Active endpoints"
          value={formatCount(s.activeEndpoints)}
          note={<Link to="/endpoints">Manage endpoints</Link>}
        />
        <StatCard
          label="Failed deliveries"
          value={formatCount(s.deliveriesFailed)}
          tone={s.deliveriesFailed > 0 ? "danger" : "success"}
          note={
            s.deliveriesFailed > 0 ? (
              <Link to="/dead-letter">Review in the dead letter queue</Link>
            ) : (
              `${formatCount(s.deliveriesPending)} pending, none failed`
            )
          }
        />
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="throughput-title">
          <header className="card-header">
            <h2 id="throughput-title">Live throughput</h2>
            <span className="live-indicator">
              <span className="live-dot" aria-hidden="true" />
              Attempts per minute, last 30 min
            </span>
          </header>
          {live.isError ? (
            <ErrorState error={live.error} onRetry={() => live.refetch()} />
          ) : live.data === undefined ? (
            <LoadingState rows={2} />
          ) : (
            <ThroughputChart
              buckets={live.data.buckets}
              caption="Delivery attempts per minute, last 30 minutes"
            />
          )}
        </section>
        <section className="card" aria-labelledby="rate-title">
          <header className="card-header">
            <h2 id="rate-title">Success rate</h2>
            <span className="muted small">Finished deliveries per hour, last 24 h</span>
          </header>
          {day.isError ? (
            <ErrorState error={day.error} onRetry={() => day.refetch()} />
          ) : day.data === undefined ? (
            <LoadingState rows={2} />
          ) : (
            <SuccessRateChart
              buckets={day.data.buckets}
              caption="Delivery success rate per hour, last 24 hours"
            />
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="attention-title">
        <header className="card-header">
          <h2 id="attention-title">Needs attention</h2>
          <Link to="/dead-letter" className="small">
            Dead letter queue →
          </Link>
        </header>
        {failures.isError ? (
          <ErrorState error={failures.error} onRetry={() => failures.refetch()} />
        ) : failures.data === undefined ? (
          <LoadingState rows={2} />
        ) : failures.data.deliveries.length === 0 ? (
          <p className="muted card-empty">
            No failed deliveries. Deliveries that exhaust their retries appear here.
          </p>
        ) : (
          <ul className="attention-list">
            {failures.data.deliveries.map((delivery) => (
              <li key={delivery.id}>
                <div className="attention-main">
                  <Tag>{delivery.eventType}</Tag>
                  <span className="truncate" title={delivery.endpointUrl}>
                    {delivery.endpointUrl}
                  </span>
                </div>
                <div className="attention-meta">
                  {delivery.lastAttempt !== undefined && (
                    <HttpStatus code={delivery.lastAttempt.statusCode} />
                  )}
                  <span className="muted small truncate">{delivery.lastAttempt?.error}</span>
                  <span className="muted small nowrap">{formatRelative(toDate(delivery.completedAt))}</span>
                  <Link to={`/messages?id=${delivery.messageId}`} className="small nowrap">
                    View message
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
