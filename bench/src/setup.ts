// Applications and endpoints for a scenario, made through the admin service's
// REST API (as a user would) or, for thousands of endpoints, with one INSERT.
import { newId } from "@piperelay/core";
import { generateSecret } from "@piperelay/signing";
import pg from "pg";
import { request } from "undici";

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`POST ${url} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface BenchApp {
  id: string;
  apiKey: string;
}

/** Creates an application (the admin service runs in local mode: no admin token). */
export async function createApplication(adminUrl: string, name = "bench"): Promise<BenchApp> {
  const body = await post(`${adminUrl}/api/v1/applications`, { name });
  const app = (body.application as Record<string, unknown> | undefined) ?? body;
  return { id: String(app.id), apiKey: String(app.api_key) };
}

export interface EndpointSpec {
  url: string;
  eventTypes: string[];
}

/** Registers endpoints over REST, a few at a time; returns their ids in order. */
export async function createEndpoints(adminUrl: string, app: BenchApp, specs: EndpointSpec[]) {
  const ids: string[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const index = next++;
      const spec = specs[index] as EndpointSpec;
      const body = await post(
        `${adminUrl}/api/v1/endpoints`,
        { url: spec.url, event_types: spec.eventTypes },
        app.apiKey,
      );
      const endpoint = (body.endpoint as Record<string, unknown> | undefined) ?? body;
      ids[index] = String(endpoint.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

/**
 * Inserts `count` endpoints in one statement, for the 10,000-endpoint scenario
 * where registering them one by one over the API would take most of the run.
 */
export async function insertEndpoints(
  databaseUrl: string,
  app: BenchApp,
  count: number,
  spec: (index: number) => EndpointSpec,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = Array.from({ length: count }, (_, i) => ({ id: newId("ep"), ...spec(i) }));
    await client.query(
      `INSERT INTO endpoints (id, application_id, url, secret, event_types)
       SELECT id, $1, url, secret, string_to_array(types, ',')
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, url, secret, types)`,
      [
        app.id,
        rows.map((r) => r.id),
        rows.map((r) => r.url),
        rows.map(() => generateSecret()),
        rows.map((r) => r.eventTypes.join(",")),
      ],
    );
  } finally {
    await client.end();
  }
}
