import type { StatsBucket } from "@piperelay/proto";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatClock, formatCount, formatLatency, formatRate, toDate } from "../lib/format.js";

const colors = {
  success: "#16a34a",
  failure: "#dc2626",
  brand: "#4f46e5",
  grid: "#eef0f4",
  axis: "#8a91a3",
};

const axisProps = {
  stroke: colors.axis,
  fontSize: 12,
  tickLine: false,
  axisLine: false,
} as const;

const tooltipStyle = {
  contentStyle: {
    borderRadius: 8,
    border: "1px solid #e4e7ec",
    boxShadow: "0 4px 12px rgba(16, 24, 40, 0.08)",
    fontSize: 13,
  },
};

interface Point {
  time: string;
  succeeded: number;
  failed: number;
  messages: number;
  rate: number | null;
  latency: number | null;
}

/** Chart points from buckets: labels in local time, rates only where something finished. */
export function toPoints(buckets: readonly StatsBucket[]): Point[] {
  return buckets.map((bucket) => {
    const finished = bucket.deliveriesSucceeded + bucket.deliveriesFailed;
    const attempts = bucket.attemptsSucceeded + bucket.attemptsFailed;
    const start = toDate(bucket.start) ?? new Date(0);
    return {
      time: formatClock(start),
      succeeded: bucket.attemptsSucceeded,
      failed: bucket.attemptsFailed,
      messages: bucket.messages,
      rate: finished === 0 ? null : bucket.deliveriesSucceeded / finished,
      latency: attempts === 0 ? null : Math.round(bucket.avgLatencyMs),
    };
  });
}

function sum(buckets: readonly StatsBucket[], pick: (bucket: StatsBucket) => number): number {
  return buckets.reduce((total, bucket) => total + pick(bucket), 0);
}

/** Delivery attempts per bucket, succeeded and failed stacked: the live throughput. */
export function ThroughputChart({ buckets, caption }: { buckets: readonly StatsBucket[]; caption: string }) {
  const succeeded = sum(buckets, (b) => b.attemptsSucceeded);
  const failed = sum(buckets, (b) => b.attemptsFailed);
  return (
    <figure className="chart">
      <figcaption className="visually-hidden">
        {caption}: {formatCount(succeeded)} attempts succeeded and {formatCount(failed)} failed.
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart
          data={toPoints(buckets)}
          margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
          barCategoryGap="18%"
        >
          <CartesianGrid stroke={colors.grid} vertical={false} />
          <XAxis dataKey="time" {...axisProps} minTickGap={24} />
          <YAxis {...axisProps} allowDecimals={false} />
          <Tooltip {...tooltipStyle} cursor={{ fill: "rgba(79, 70, 229, 0.06)" }} />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
          <Bar
            dataKey="succeeded"
            name="Succeeded"
            stackId="attempts"
            fill={colors.success}
            isAnimationActive={false}
          />
          <Bar
            dataKey="failed"
            name="Failed"
            stackId="attempts"
            fill={colors.failure}
            radius={[2, 2, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Share of finished deliveries that succeeded, per bucket. */
export function SuccessRateChart({ buckets, caption }: { buckets: readonly StatsBucket[]; caption: string }) {
  const succeeded = sum(buckets, (b) => b.deliveriesSucceeded);
  const failed = sum(buckets, (b) => b.deliveriesFailed);
  const overall = succeeded + failed === 0 ? undefined : succeeded / (succeeded + failed);
  if (overall === undefined) {
    return (
      <p className="chart-empty">
        No delivery finished in this period. The rate appears once deliveries succeed or exhaust their
        retries.
      </p>
    );
  }
  return (
    <figure className="chart">
      <figcaption className="visually-hidden">
        {caption}: {formatRate(overall)} of {formatCount(succeeded + failed)} finished deliveries succeeded.
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart data={toPoints(buckets)} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid stroke={colors.grid} vertical={false} />
          <XAxis dataKey="time" {...axisProps} minTickGap={24} />
          <YAxis
            {...axisProps}
            domain={[0, 1]}
            ticks={[0, 0.25, 0.5, 0.75, 1]}
            tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
          />
          <Tooltip {...tooltipStyle} formatter={(value) => formatRate(Number(value))} />
          <Line
            type="monotone"
            dataKey="rate"
            name="Success rate"
            stroke={colors.brand}
            strokeWidth={2}
            dot={{ r: 3 }}
            connectNulls
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Attempts per bucket (bars) and their mean latency (line), for one endpoint. */
export function EndpointActivityChart({
  buckets,
  caption,
}: {
  buckets: readonly StatsBucket[];
  caption: string;
}) {
  const succeeded = sum(buckets, (b) => b.attemptsSucceeded);
  const failed = sum(buckets, (b) => b.attemptsFailed);
  return (
    <figure className="chart">
      <figcaption className="visually-hidden">
        {caption}: {formatCount(succeeded)} attempts succeeded and {formatCount(failed)} failed.
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={toPoints(buckets)} margin={{ top: 8, right: 0, bottom: 0, left: -16 }}>
          <CartesianGrid stroke={colors.grid} vertical={false} />
          <XAxis dataKey="time" {...axisProps} minTickGap={24} />
          <YAxis yAxisId="count" {...axisProps} allowDecimals={false} />
          <YAxis
            yAxisId="latency"
            orientation="right"
            {...axisProps}
            tickFormatter={(value: number) => formatLatency(value)}
          />
          <Tooltip {...tooltipStyle} />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
          <Bar
            yAxisId="count"
            dataKey="succeeded"
            name="Succeeded"
            stackId="attempts"
            fill={colors.success}
            isAnimationActive={false}
          />
          <Bar
            yAxisId="count"
            dataKey="failed"
            name="Failed"
            stackId="attempts"
            fill={colors.failure}
            radius={[3, 3, 0, 0]}
            isAnimationActive={false}
          />
          <Line
            yAxisId="latency"
            type="monotone"
            dataKey="latency"
            name="Mean latency (ms)"
            stroke={colors.brand}
            strokeWidth={2}
            dot={{ r: 2 }}
            connectNulls
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
