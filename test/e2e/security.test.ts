import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { adminComponent } from "@piperelay/admin";
import { legacyApiKeyHash } from "@piperelay/api-keys";
import { generateSecret, verifyWebhook } from "@piperelay/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";

const adminToken = "test-admin-token";
let stack: TestStack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({ PIPERELAY_ADMIN_TOKEN: adminToken });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

async function query<T>(sql: string, params: unknown[]): Promise<T> {
  const { rows } = await stack.process.clients.database.pool.query(sql, params);
  return rows[0] as T;
}

/** The base64 part of a `whsec_` secret: what must not appear in the database. */
const keyPart = (secret: string) => secret.slice("whsec_".length);

describe("endpoint secrets at rest", () => {
  it("stores the secret encrypted while the API shows it and deliveries are signed with it", async () => {
    const app = await createApp(stack.baseUrl, "secrets", adminToken);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url });
    const secret = String(endpoint.secret);
    expect(secret).toMatch(/^whsec_/);

    const row = await query<{ secret: string }>("SELECT secret FROM endpoints WHERE id = $1", [endpoint.id]);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(keyPart(secret));
    const fetched = await restClient(stack.baseUrl, app.apiKey)("GET", `/api/v1/endpoints/${endpoint.id}`);
    expect(fetched.body.secret).toBe(secret);

    const before = receiver.requests.length;
    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "secret.check", payload: { n: 1 } });
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    expect(verifyWebhook(secret, request!.headers, request!.body)).toBe(true);
    expect(verifyWebhook(generateSecret(), request!.headers, request!.body)).toBe(false);
  });

  it("after a rotation signs with the new and the previous secret, both stored encrypted", async () => {
    const app = await createApp(stack.baseUrl, "rotation", adminToken);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url });
    const old = String(endpoint.secret);
    const rotated = await restClient(stack.baseUrl, app.apiKey)(
      "POST",
      `/api/v1/endpoints/${endpoint.id}/rotate-secret`,
      {},
    );
    const next = String(rotated.body.secret);
    expect(next).not.toBe(old);

    const row = await query<{ secret: string; previous_secret: string }>(
      "SELECT secret, previous_secret FROM endpoints WHERE id = $1",
      [endpoint.id],
    );
    expect(`${row.secret} ${row.previous_secret}`).not.toContain(keyPart(old));
    expect(`${row.secret} ${row.previous_secret}`).not.toContain(keyPart(next));

    const before = receiver.requests.length;
    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "secret.rotated", payload: { n: 2 } });
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    expect(verifyWebhook(next, request!.headers, request!.body)).toBe(true);
    expect(verifyWebhook(old, request!.headers, request!.body)).toBe(true);
  });

  it("keeps signing with a secret stored in clear before the upgrade, and encrypts it when admin starts", async () => {
    const app = await createApp(stack.baseUrl, "legacy secret", adminToken);
    const endpoint = await createEndpoint(stack.baseUrl, app.apiKey, { url: receiver.url });
    const legacy = generateSecret();
    await stack.process.clients.database.pool.query("UPDATE endpoints SET secret = $1 WHERE id = $2", [
      legacy,
      endpoint.id,
    ]);
    const fetched = await restClient(stack.baseUrl, app.apiKey)("GET", `/api/v1/endpoints/${endpoint.id}`);
    expect(fetched.body.secret).toBe(legacy);

    const before = receiver.requests.length;
    await sendMessage(stack.baseUrl, app.apiKey, { event_type: "secret.legacy", payload: { n: 3 } });
    const [request] = (await receiver.waitFor(before + 1)).slice(before);
    expect(verifyWebhook(legacy, request!.headers, request!.body)).toBe(true);

    const admin = await stack.startAnother([adminComponent]);
    const row = await query<{ secret: string }>("SELECT secret FROM endpoints WHERE id = $1", [endpoint.id]);
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(keyPart(legacy));
    const again = await restClient(stack.baseUrl, app.apiKey)("GET", `/api/v1/endpoints/${endpoint.id}`);
    expect(again.body.secret).toBe(legacy);
    await admin.stop();
  });
});

describe("API keys at rest", () => {
  it("stores no plain hash of the key; the key authenticates and a wrong one gets 401", async () => {
    const app = await createApp(stack.baseUrl, "keys", adminToken);
    const row = await query<{ api_key_hash: string; api_key_lookup: string }>(
      "SELECT api_key_hash, api_key_lookup FROM applications WHERE id = $1",
      [app.id],
    );
    expect(row.api_key_hash).not.toBe(legacyApiKeyHash(app.apiKey));
    expect(row.api_key_hash).not.toContain(app.apiKey.slice("pk_live_".length));
    expect(row.api_key_hash).toMatch(/^v1\$/);
    expect(row.api_key_lookup).toBe(app.apiKey.slice(8, 20));

    expect((await restClient(stack.baseUrl, app.apiKey)("GET", "/api/v1/endpoints")).status).toBe(200);
    // Right look-up id, wrong rest: found by id, refused by the hash.
    const last = app.apiKey.at(-1) === "A" ? "B" : "A";
    const wrong = `${app.apiKey.slice(0, -1)}${last}`;
    expect((await restClient(stack.baseUrl, wrong)("GET", "/api/v1/endpoints")).status).toBe(401);
  });

  it("still accepts a key stored as a plain SHA-256 before the upgrade, and rehashes it", async () => {
    const app = await createApp(stack.baseUrl, "legacy key", adminToken);
    await stack.process.clients.database.pool.query(
      "UPDATE applications SET api_key_hash = $1, api_key_lookup = NULL WHERE id = $2",
      [legacyApiKeyHash(app.apiKey), app.id],
    );
    expect((await restClient(stack.baseUrl, app.apiKey)("GET", "/api/v1/endpoints")).status).toBe(200);
    const row = await query<{ api_key_hash: string }>("SELECT api_key_hash FROM applications WHERE id = $1", [
      app.id,
    ]);
    expect(row.api_key_hash).toMatch(/^v1\$/);
  });
});

describe("start-up without a master key", () => {
  const run = promisify(execFile);
  const cli = resolve(import.meta.dirname, "../../packages/cli/dist/piperelay.mjs");

  it("refuses to serve beyond loopback, naming PIPERELAY_MASTER_KEY", async () => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PIPERELAY_HOST: "0.0.0.0",
      PIPERELAY_PORT: "0",
      PIPERELAY_ADMIN_TOKEN: adminToken,
      DATABASE_URL: stack.database.url,
      PIPERELAY_CONFIG: resolve(import.meta.dirname, "../../piperelay.yaml"),
    };
    delete env.PIPERELAY_MASTER_KEY;
    const failure = await run(process.execPath, [cli, "serve"], { env, timeout: 20_000 }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toMatch(/security\.master_key: required.*PIPERELAY_MASTER_KEY/);
  });
});
