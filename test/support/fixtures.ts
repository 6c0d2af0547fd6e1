import { restClient } from "./api-client.js";
import { eventually } from "./poll.js";
import type { Receiver } from "./receiver.js";
import type { TestStack } from "./stack.js";

/** Creates an application over REST (local mode: no admin token) and returns its id and key. */
export async function createApp(baseUrl: string, name = "test app", adminToken?: string) {
  const res = await restClient(baseUrl, adminToken)("POST", "/api/v1/applications", { name });
  if (res.status !== 200)
    throw new Error(`creating an application answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: String(res.body.id), apiKey: String(res.body.api_key) };
}

/** Registers an endpoint and returns its JSON. */
export async function createEndpoint(baseUrl: string, apiKey: string, body: Record<string, unknown>) {
  const res = await restClient(baseUrl, apiKey)("POST", "/api/v1/endpoints", body);
  if (res.status !== 200)
    throw new Error(`creating an endpoint answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Sends a message and returns the response JSON. */
export async function sendMessage(
  baseUrl: string,
  apiKey: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const res = await restClient(baseUrl, apiKey)("POST", "/api/v1/messages", body, headers);
  if (res.status !== 200)
    throw new Error(`sending a message answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Sends `count` messages one after another, each once the one before has
 * reached `receiver`; returns how long each took from send to arrival, in ms.
 */
export async function sendTimedOneByOne(
  baseUrl: string,
  apiKey: string,
  receiver: Receiver,
  count: number,
  eventType: string,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = Date.now();
    const sent = await sendMessage(baseUrl, apiKey, { event_type: eventType, payload: { i } });
    const arrived = await eventually(
      () => receiver.requests.find((r) => r.headers["x-piperelay-id"] === sent.id),
      30_000,
      `message ${i} to arrive`,
    );
    latencies.push(arrived.at - sentAt);
  }
  return latencies;
}

/** Sends `count` messages of one event type, `concurrency` requests at a time. */
export async function sendMany(
  baseUrl: string,
  apiKey: string,
  count: number,
  eventType: string,
  concurrency = 8,
) {
  const call = restClient(baseUrl, apiKey);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count)
        await call("POST", "/api/v1/messages", { event_type: eventType, payload: { n: next } });
    }),
  );
}

/** How many messages the stack's database holds. */
export async function messageCount(stack: TestStack): Promise<number> {
  const { rows } = await stack.process.clients.database.pool.query("SELECT count(*)::int AS n FROM messages");
  return rows[0].n;
}
