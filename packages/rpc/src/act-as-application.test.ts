import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, apiKey, startTestApi, type TestApi } from "./api-test-fixture.js";
import { actAsApplicationHeader } from "./auth-interceptor.js";

const session = "piperelay_session=valid";
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({
    auth: {
      adminToken,
      openAdmin: false,
      resolveApiKey: async (key) => (key === apiKey ? "app_test" : undefined),
      isAdminSession: (header) => header.get("cookie") === session,
      applicationExists: async (id) => id === "app_other" || id === "app_test",
    },
  });
});
afterAll(async () => {
  await api.server.close();
});

/** A Connect JSON call to EndpointService.GetEndpoint with the given headers. */
async function getEndpoint(headers: Record<string, string>) {
  const response = await fetch(`${api.baseUrl}/piperelay.v1.EndpointService/GetEndpoint`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: '{"id":"ep_1"}',
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe(`the ${actAsApplicationHeader} header`, () => {
  it("makes the admin token act as the named application", async () => {
    const { status, body } = await getEndpoint({
      authorization: `Bearer ${adminToken}`,
      [actAsApplicationHeader]: "app_other",
    });
    expect(status).toBe(200);
    expect(body.endpoint).toMatchObject({ application_id: "app_other" });
    expect(api.recorded.callers.at(-1)).toEqual({
      kind: "application",
      applicationId: "app_other",
      actingAdmin: true,
    });
  });

  it("makes a dashboard session act as the named application", async () => {
    const { status } = await getEndpoint({ cookie: session, [actAsApplicationHeader]: "app_other" });
    expect(status).toBe(200);
    expect(api.recorded.callers.at(-1)).toMatchObject({ applicationId: "app_other", actingAdmin: true });
  });

  it("is refused without admin credentials, whatever else is sent", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${apiKey}` },
      { authorization: "Bearer not-a-token" },
      { cookie: "piperelay_session=forged" },
      // A bearer token decides on its own: a valid cookie does not rescue an application key.
      { authorization: `Bearer ${apiKey}`, cookie: session },
    ];
    for (const headers of attempts) {
      const { status, body } = await getEndpoint({ ...headers, [actAsApplicationHeader]: "app_other" });
      expect(status).toBe(401);
      expect(body.message).toContain("needs admin credentials");
    }
  });

  it("answers not_found for an application that does not exist", async () => {
    const { status } = await getEndpoint({ cookie: session, [actAsApplicationHeader]: "app_missing" });
    expect(status).toBe(404);
    const malformed = await getEndpoint({ cookie: session, [actAsApplicationHeader]: "app_x; drop" });
    expect(malformed.status).toBe(404);
  });

  it("leaves a session without the header with no application to act as", async () => {
    const { status, body } = await getEndpoint({ cookie: session });
    expect(status).toBe(401);
    expect(body.message).toContain(actAsApplicationHeader);
  });

  it("is not honoured where the server cannot check applications", async () => {
    const bare = await startTestApi();
    try {
      const response = await fetch(`${bare.baseUrl}/piperelay.v1.EndpointService/GetEndpoint`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${adminToken}`,
          [actAsApplicationHeader]: "app_other",
        },
        body: '{"id":"ep_1"}',
      });
      expect(response.status).toBe(404);
    } finally {
      await bare.server.close();
    }
  });
});

describe("the dashboard session", () => {
  it("is the admin for application management", async () => {
    const response = await fetch(`${api.baseUrl}/piperelay.v1.ApplicationService/ListApplications`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: session },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(api.recorded.callers.at(-1)).toEqual({ kind: "admin" });
  });
});
