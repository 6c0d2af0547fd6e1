import { useMutation, useQuery } from "@connectrpc/connect-query";
import { type Endpoint, EndpointService } from "@piperelay/proto";
import { keepPreviousData, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { PageHeader } from "../components/app-shell.js";
import { EndpointFormDialog } from "../components/endpoint-form.js";
import { HealthDot } from "../components/health-dot.js";
import { Pager } from "../components/pager.js";
import { EmptyState, ErrorState, InlineError, LoadingState } from "../components/states.js";
import { Tag } from "../components/status-badge.js";
import { useToast } from "../components/toast.js";
import { ToggleSwitch } from "../components/toggle-switch.js";
import { formatRate } from "../lib/format.js";
import { Link, useRouter } from "../lib/router.js";
import { useCursorPages } from "../lib/use-cursor-pages.js";
import { useEndpointHealth } from "../lib/use-endpoint-health.js";

/** Every endpoint of the application with its health and an on/off switch; creating new ones. */
export function EndpointsPage() {
  const { location, navigate } = useRouter();
  const [creating, setCreating] = useState(location.search.get("new") === "1");
  const pages = useCursorPages();
  const list = useQuery(
    EndpointService.method.listEndpoints,
    { limit: 50, cursor: pages.cursor },
    { refetchInterval: 10_000, placeholderData: keepPreviousData },
  );
  const newButton = (
    <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
      New endpoint
    </button>
  );
  return (
    <>
      <PageHeader
        title="Endpoints"
        description="Where messages are delivered. Health is the share of attempts that succeeded in the last 24 hours."
        actions={newButton}
      />
      <section className="card card-flush" aria-label="Endpoints">
        {list.isPending ? (
          <LoadingState label="Loading endpoints…" rows={4} />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.data.endpoints.length === 0 ? (
          <EmptyState title="No endpoints yet" action={newButton}>
            An endpoint is a customer's URL and the event types it wants. Add one, then send it a test event
            to see a delivery end to end.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Endpoints</caption>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col" className="hide-sm">
                    Event types
                  </th>
                  <th scope="col" className="hide-sm">
                    Rate limit
                  </th>
                  <th scope="col">24 h success</th>
                  <th scope="col">Enabled</th>
                </tr>
              </thead>
              <tbody>
                {list.data.endpoints.map((endpoint) => (
                  <EndpointRow key={endpoint.id} endpoint={endpoint} />
                ))}
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
      <EndpointFormDialog
        open={creating}
        onClose={() => {
          setCreating(false);
          if (location.search.has("new")) navigate("/endpoints", { replace: true });
        }}
        onSaved={(endpoint) => {
          setCreating(false);
          navigate(`/endpoints/${endpoint.id}`);
        }}
      />
    </>
  );
}

function EndpointRow({ endpoint }: { endpoint: Endpoint }) {
  const health = useEndpointHealth(endpoint);
  return (
    <tr>
      <td className="endpoint-cell">
        <HealthDot health={health} />
        <div className="endpoint-name">
          <Link to={`/endpoints/${endpoint.id}`} className="mono endpoint-url">
            {endpoint.url}
          </Link>
          <span className="muted small">{endpoint.description || endpoint.id}</span>
        </div>
      </td>
      <td className="hide-sm">
        <EventTypes types={endpoint.eventTypes} />
      </td>
      <td className="hide-sm nowrap">
        {endpoint.rateLimit === undefined ? "Unlimited" : `${endpoint.rateLimit}/s`}
      </td>
      <td className="nowrap">{formatRate(health.successRate)}</td>
      <td>
        <EndpointToggle endpoint={endpoint} />
      </td>
    </tr>
  );
}

/** Event type subscriptions as tags; an empty list means every event. */
export function EventTypes({ types }: { types: readonly string[] }) {
  if (types.length === 0) return <span className="muted">All events</span>;
  return (
    <span className="tags">
      {types.map((type) => (
        <Tag key={type}>{type}</Tag>
      ))}
    </span>
  );
}

/** Enables or disables an endpoint; the list refreshes after the change. */
export function EndpointToggle({ endpoint }: { endpoint: Endpoint }) {
  const queryClient = useQueryClient();
  const notify = useToast();
  const toggle = useMutation(EndpointService.method.toggleEndpoint, {
    onSuccess: (response) => {
      notify(
        response.endpoint?.isActive ? "Endpoint enabled" : "Endpoint disabled: it gets no new deliveries",
      );
      void queryClient.invalidateQueries();
    },
  });
  return (
    <>
      <ToggleSwitch
        checked={endpoint.isActive}
        disabled={toggle.isPending}
        label={`${endpoint.isActive ? "Disable" : "Enable"} ${endpoint.url}`}
        onChange={(isActive) => toggle.mutate({ id: endpoint.id, isActive })}
      />
      <InlineError error={toggle.error} />
    </>
  );
}
