import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AttemptSchema,
  type Delivery,
  DeliverySchema,
  DeliveryService,
  EndpointService,
  type RetryDeliveriesRequest,
} from "@piperelay/proto";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderPage } from "../test-utils.js";
import { DeadLetterPage } from "./dead-letter-page.js";

function failedDelivery(id: string, eventType: string, statusCode: number): Delivery {
  return create(DeliverySchema, {
    id,
    messageId: `msg_${id.slice(4)}`,
    endpointId: "ep_1",
    endpointUrl: "https://acme.example/hooks",
    status: "failed",
    attemptCount: 3,
    eventType,
    completedAt: timestampFromDate(new Date()),
    lastAttempt: create(AttemptSchema, { attemptNumber: 3, statusCode, error: `HTTP ${statusCode}` }),
  });
}

describe("DeadLetterPage", () => {
  it("lists failed deliveries and retries the selected ones", async () => {
    let deliveries = [
      failedDelivery("dlv_a", "order.paid", 500),
      failedDelivery("dlv_b", "invoice.paid", 404),
    ];
    const retried: RetryDeliveriesRequest[] = [];
    renderPage(<DeadLetterPage />, (router) => {
      router.service(DeliveryService, {
        listDeliveries: (req) => {
          expect(req.status).toBe("failed");
          return { deliveries };
        },
        retryDeliveries: (req) => {
          retried.push(req);
          deliveries = deliveries.filter((delivery) => !req.ids.includes(delivery.id));
          return { deliveriesRequeued: req.ids.length };
        },
      });
      router.service(EndpointService, { listEndpoints: () => ({ endpoints: [] }) });
    });
    const table = await screen.findByRole("table", { name: "Failed deliveries, newest first" });
    expect(within(table).getByText("order.paid")).toBeTruthy();
    expect(within(table).getByText("HTTP 404")).toBeTruthy();
    const retry = screen.getByRole("button", { name: "Retry selected" }) as HTMLButtonElement;
    expect(retry.disabled).toBe(true);

    const user = userEvent.setup();
    await user.click(screen.getByRole("checkbox", { name: "Select delivery dlv_b" }));
    await user.click(screen.getByRole("button", { name: "Retry selected (1)" }));

    expect(await screen.findByText("Queued 1 delivery for retry")).toBeTruthy();
    expect(retried.map((req) => [...req.ids])).toEqual([["dlv_b"]]);
    await screen.findByRole("button", { name: "Retry selected" });
    expect(screen.queryByText("invoice.paid")).toBeNull();
  });

  it("says when nothing failed", async () => {
    renderPage(<DeadLetterPage />, (router) => {
      router.service(DeliveryService, { listDeliveries: () => ({ deliveries: [] }) });
      router.service(EndpointService, { listEndpoints: () => ({ endpoints: [] }) });
    });
    expect(await screen.findByRole("heading", { name: "No failed deliveries" })).toBeTruthy();
    expect((screen.getByRole("button", { name: "Retry all…" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("says what went wrong when the server cannot answer, with a way to try again", async () => {
    renderPage(<DeadLetterPage />, (router) => {
      router.service(DeliveryService, {
        listDeliveries: () => {
          throw new ConnectError("postgres is unavailable, try again shortly", Code.Unavailable);
        },
      });
      router.service(EndpointService, { listEndpoints: () => ({ endpoints: [] }) });
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("PipeRelay is unavailable");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
