import { useQuery } from "@connectrpc/connect-query";
import { type Endpoint, HealthService } from "@piperelay/proto";
import { keepPreviousData } from "@tanstack/react-query";
import { endpointHealth, type Health } from "./health.js";
import { useWindowStart } from "./use-window-start.js";

const hour = 3_600_000;

/** An endpoint's health from its attempts in the last 24 hours, refreshed every 15 seconds. */
export function useEndpointHealth(endpoint: Endpoint): Health {
  const since = useWindowStart(24 * hour, hour);
  const series = useQuery(
    HealthService.method.getStatsSeries,
    { endpointId: endpoint.id, since, bucketSeconds: 3600 },
    { refetchInterval: 15_000, placeholderData: keepPreviousData },
  );
  const buckets = series.data?.buckets ?? [];
  return endpointHealth({
    isActive: endpoint.isActive,
    succeeded: buckets.reduce((n, b) => n + b.attemptsSucceeded, 0),
    failed: buckets.reduce((n, b) => n + b.attemptsFailed, 0),
  });
}
