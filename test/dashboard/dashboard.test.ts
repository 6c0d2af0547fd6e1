// The dashboard end to end: real headless Chromium against the whole stack in
// this process (PostgreSQL, NATS, ingest, dispatcher, admin serving web/dist),
// with local HTTP receivers. Saves a screenshot of each page (to docs/screenshots with UPDATE_SCREENSHOTS=1).
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restClient } from "../support/api-client.js";
import { createApp, createEndpoint, sendMessage } from "../support/fixtures.js";
import { eventually } from "../support/poll.js";
import { type Receiver, startReceiver } from "../support/receiver.js";
import { startStack, type TestStack } from "../support/stack.js";
import { ensureDashboardBuilt, launchBrowser, repoRoot } from "./support.js";

const adminToken = "e2e-dashboard-admin-token";
// Committed screenshots change only on request, so a test run leaves the tree clean.
const screenshots =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? join(repoRoot, "docs", "screenshots")
    : mkdtempSync(join(tmpdir(), "piperelay-screenshots-"));

let stack: TestStack;
let receiver: Receiver;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let apiKey: string;
let endpointId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  mkdirSync(screenshots, { recursive: true });
  stack = await startStack({ PIPERELAY_ADMIN_TOKEN: adminToken });
  receiver = await startReceiver();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.emulateMedia({ reducedMotion: "reduce" });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await stack?.stop();
});

const dashboard = (path = "/") => `${stack.baseUrl}/dashboard${path}`;
const api = () => restClient(stack.baseUrl, apiKey);

/** Waits until polling has quietened down and charts have drawn, for a steady screenshot. */
async function settle(target: Page): Promise<void> {
  await target.waitForLoadState("networkidle");
  await target.waitForTimeout(400);
}

async function shoot(name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await settle(page);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: options.fullPage ?? true });
}

async function messageStatus(id: string): Promise<string> {
  const response = await api()<{ status: string }>("GET", `/api/v1/messages/${id}`);
  return response.body.status;
}

describe("the dashboard", () => {
  it("logs in with the admin token and creates the first application", async () => {
    await page.goto(dashboard("/"));
    await page.getByRole("heading", { name: "Sign in to the dashboard" }).waitFor();
    await shoot("login");

    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("that is not the admin token").waitFor();

    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Create your first application" }).waitFor();
    await page.getByLabel("Name").fill("Seentics");
    await page.getByRole("button", { name: "Create application" }).click();
    apiKey = (await page.getByTestId("new-api-key").textContent()) ?? "";
    expect(apiKey).toMatch(/^pk_live_/);
    await page.getByRole("button", { name: "I have stored the key" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(await page.getByLabel("Application", { exact: true }).inputValue()).toMatch(/^app_/);
  });

  it("creates an endpoint for a local receiver and sends it a test event that is delivered", async () => {
    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Endpoints" })
      .click();
    await page.getByRole("heading", { name: "No endpoints yet" }).waitFor();
    await page.getByRole("button", { name: "New endpoint" }).first().click();
    const form = page.getByRole("dialog", { name: "New endpoint" });
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Event types").fill("order.paid, invoice.*");
    await form.getByLabel("Rate limit").fill("50");
    await form.getByLabel("Description").fill("Billing service");
    await form.getByLabel("Metadata").fill("team=billing");
    await form.getByRole("button", { name: "Create endpoint" }).click();
    await page.getByRole("heading", { name: receiver.url }).waitFor();
    endpointId = page.url().split("/").at(-1) ?? "";
    expect(endpointId).toMatch(/^ep_/);

    await page.getByRole("button", { name: "Send test event" }).click();
    await page
      .getByRole("dialog", { name: "Send a test event" })
      .getByRole("button", { name: "Send test event" })
      .click();
    const recent = page.getByRole("table", { name: "Recent deliveries to this endpoint" });
    await recent.getByText("Succeeded").waitFor({ timeout: 20_000 });
    const [request] = await receiver.waitFor(1);
    expect(request?.headers["x-piperelay-signature"]).toMatch(/^v1=/);
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ endpoint_id: endpointId });
  });

  it("shows a failing delivery with every attempt, then retries it from the dead letter queue once fixed", async () => {
    receiver.respondWith(() => ({ status: 500, body: "upstream exploded" }));
    const sent = await sendMessage(stack.baseUrl, apiKey, {
      event_type: "order.paid",
      payload: { order_id: "ord_1001", amount: 4900, currency: "eur" },
    });
    const messageId = String(sent.id);
    // Three attempts on the test schedule (now, +1 s, +2 s), then the dead letter queue.
    await eventually(
      async () => ((await messageStatus(messageId)) === "failed" ? true : undefined),
      30_000,
      "failure",
    );

    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Messages" }).click();
    await page.getByRole("button", { name: `Show details of ${messageId}` }).click();
    const details = page.locator(`#details-${messageId}`);
    const attempts = details.getByRole("table", { name: "Attempts" }).getByRole("row");
    await details.getByText("upstream exploded").first().waitFor({ state: "attached" });
    expect(await attempts.count()).toBe(4); // a header row and three attempts
    expect(await details.getByText("500", { exact: true }).count()).toBe(3);
    expect(await details.getByText("HTTP 500").count()).toBe(3);

    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: /Dead letter queue/ })
      .click();
    const table = page.getByRole("table", { name: "Failed deliveries, newest first" });
    await table.getByText(receiver.url).waitFor();
    expect(await table.getByRole("row").count()).toBe(2);

    receiver.respondWith(() => ({ status: 200, body: "ok" }));
    const received = receiver.requests.length;
    await table.getByRole("checkbox", { name: /^Select delivery dlv_/ }).check();
    await page.getByRole("button", { name: "Retry selected (1)" }).click();
    await page.getByRole("heading", { name: "No failed deliveries" }).waitFor({ timeout: 20_000 });
    await eventually(
      async () => ((await messageStatus(messageId)) === "delivered" ? true : undefined),
      20_000,
      "retry",
    );
    expect(receiver.requests.length).toBe(received + 1);

    await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Messages" }).click();
    await page
      .getByRole("row", { name: new RegExp(messageId) })
      .getByText("Delivered")
      .waitFor({ timeout: 10_000 });
  });

  it("disables and re-enables an endpoint with its switch", async () => {
    await page
      .getByRole("navigation", { name: "Dashboard" })
      .getByRole("link", { name: "Endpoints" })
      .click();
    const isActive = async () =>
      (await api()<{ is_active: boolean }>("GET", `/api/v1/endpoints/${endpointId}`)).body.is_active;

    await page.getByRole("switch", { name: `Disable ${receiver.url}` }).click();
    await page.getByRole("switch", { name: `Enable ${receiver.url}` }).waitFor();
    expect(await page.getByRole("switch", { name: `Enable ${receiver.url}` }).isChecked()).toBe(false);
    expect(await isActive()).toBe(false);

    await page.getByRole("switch", { name: `Enable ${receiver.url}` }).click();
    await page.getByRole("switch", { name: `Disable ${receiver.url}` }).waitFor();
    expect(await isActive()).toBe(true);
  });

  it("switches between applications", async () => {
    await createApp(stack.baseUrl, "Acme Analytics", adminToken);
    await page.reload();
    const picker = page.getByLabel("Application", { exact: true });
    await picker
      .locator("option", { hasText: "Acme Analytics" })
      .waitFor({ state: "attached", timeout: 35_000 });
    await picker.selectOption({ label: "Acme Analytics" });
    await page.getByRole("heading", { name: "No endpoints yet" }).waitFor();
    await picker.selectOption({ label: "Seentics" });
    await page.getByRole("link", { name: receiver.url }).waitFor();
  });

  it("shows every page with real traffic (screenshots in docs/screenshots)", async () => {
    // One failing message per broken endpoint: the dispatcher's circuit breaker holds an endpoint
    // back after five failures in a row, which would keep a second message retrying for a while.
    const flaky = await startReceiver((_request, index) =>
      index % 5 === 4 ? { status: 503, body: "busy, try later" } : { status: 200, body: "ok" },
    );
    const crm = await startReceiver(() => ({ status: 500, body: '{"error":"database connection refused"}' }));
    const fulfilment = await startReceiver(() => ({
      status: 404,
      body: "no route for POST /fulfilment/hooks",
    }));
    try {
      const endpoints = [
        {
          url: flaky.url.replace("/webhook", "/hooks/analytics"),
          description: "Analytics warehouse",
          event_types: ["*"],
        },
        {
          url: crm.url.replace("/webhook", "/crm/events"),
          description: "CRM sync",
          event_types: ["customer.updated"],
        },
        {
          url: fulfilment.url.replace("/webhook", "/fulfilment/hooks"),
          description: "Fulfilment (legacy)",
          event_types: ["order.refunded"],
        },
        { url: "http://127.0.0.1:9/erp", description: "ERP bridge", event_types: ["invoice.paid"] },
        { url: "http://127.0.0.1:9/paused", description: "Paused during migration", is_active: false },
      ];
      for (const endpoint of endpoints) await createEndpoint(stack.baseUrl, apiKey, endpoint);
      const events = [
        ...Array.from({ length: 9 }, () => "order.paid"),
        ...Array.from({ length: 6 }, () => "invoice.created"),
        "customer.updated",
        "order.refunded",
        "invoice.paid",
      ];
      for (const [i, eventType] of events.entries()) {
        await sendMessage(stack.baseUrl, apiKey, {
          event_type: eventType,
          payload: {
            id: `evt_${1000 + i}`,
            type: eventType,
            customer: { id: `cus_${300 + (i % 7)}`, email: `buyer${i % 7}@example.com` },
            amount: 1200 + i * 350,
            currency: "eur",
          },
        });
      }
      const count = async (status: string) =>
        (await api()<{ deliveries: unknown[] }>("GET", `/api/v1/deliveries?status=${status}&limit=200`)).body
          .deliveries.length;
      await eventually(
        async () =>
          (await count("failed")) === 3 && (await count("retrying")) === 0 && (await count("pending")) === 0
            ? true
            : undefined,
        40_000,
        "deliveries to settle",
      );

      await page.goto(dashboard("/"));
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      await page.getByText("Review in the dead letter queue").waitFor();
      await shoot("overview");

      await page.goto(dashboard("/endpoints"));
      await page.getByText("Failing", { exact: false }).first().waitFor({ state: "attached" });
      await shoot("endpoints");

      await page.getByRole("link", { name: endpoints[1]?.url ?? "" }).click();
      await page.getByRole("heading", { name: "Recent deliveries" }).waitFor();
      await page.getByRole("button", { name: "Reveal" }).click();
      await shoot("endpoint");

      await page.goto(dashboard("/messages"));
      const failedRow = page.getByRole("row").filter({ hasText: "Failed" }).first();
      await failedRow.getByRole("button", { name: /Show details of/ }).click();
      await page.getByRole("table", { name: "Attempts" }).first().waitFor();
      // The list goes on below; the opened message is what this picture is about.
      await page.setViewportSize({ width: 1280, height: 1150 });
      await shoot("messages", { fullPage: false });
      await page.setViewportSize({ width: 1280, height: 860 });

      await page.goto(dashboard("/dead-letter"));
      const rows = page.getByRole("table", { name: "Failed deliveries, newest first" });
      await rows
        .getByRole("button", { name: /Show details of/ })
        .first()
        .click();
      await page.getByRole("table", { name: "Attempts" }).first().waitFor();
      await rows
        .getByRole("checkbox", { name: /^Select delivery/ })
        .nth(1)
        .check();
      await rows
        .getByRole("checkbox", { name: /^Select delivery/ })
        .nth(2)
        .check();
      await shoot("dead-letter");

      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(dashboard("/"));
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      await shoot("mobile-overview");
      await page.goto(dashboard("/messages"));
      await page.getByRole("table", { name: "Messages, newest first" }).waitFor();
      await shoot("mobile-messages");
      await page.setViewportSize({ width: 1280, height: 860 });
    } finally {
      await flaky.close();
      await crm.close();
      await fulfilment.close();
    }
  }, 120_000);

  it("threw no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });

  it("says plainly when no admin token is configured (local mode), and needs no login", async () => {
    const local = await startStack({});
    const localPage = await browser.context.newPage();
    try {
      await createApp(local.baseUrl, "Local app");
      await localPage.goto(`${local.baseUrl}/dashboard/`);
      await localPage.getByRole("heading", { name: "Overview" }).waitFor();
      const banner = localPage.getByRole("note");
      expect(await banner.textContent()).toContain("Local mode, no admin token.");
      expect(await banner.textContent()).toContain("PIPERELAY_ADMIN_TOKEN");
      expect(await localPage.getByRole("button", { name: "Log out" }).count()).toBe(0);
    } finally {
      await localPage.close();
      await local.stop();
    }
  });

  it("logs out, and the session cookie stops working", async () => {
    await page.goto(dashboard("/"));
    await page.getByRole("button", { name: "Log out" }).last().click();
    await page.getByRole("heading", { name: "Sign in to the dashboard" }).waitFor();
    const cookies = await browser.context.cookies(stack.baseUrl);
    expect(cookies.find((cookie) => cookie.name === "piperelay_session")).toBeUndefined();
  });
});
