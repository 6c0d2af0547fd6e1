import { create, fromJson } from "@bufbuild/protobuf";
import { timestampFromDate, ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  AttemptSchema,
  DeliverySchema,
  DeliveryService,
  type ListMessagesRequest,
  MessageSchema,
  MessageService,
} from "@piperelay/proto";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderPage } from "../test-utils.js";
import { MessagesPage } from "./messages-page.js";

const message = create(MessageSchema, {
  id: "msg_1",
  eventType: "order.paid",
  status: "failed",
  endpointsTargeted: 1,
  timestamp: timestampFromDate(new Date()),
  payload: fromJson(ValueSchema, { order_id: "ord_42" }),
  deliveries: [
    create(DeliverySchema, {
      id: "dlv_1",
      endpointUrl: "https://acme.example/hooks",
      status: "failed",
      attemptCount: 2,
      attempts: [
        create(AttemptSchema, {
          attemptNumber: 1,
          statusCode: 500,
          latencyMs: 120,
          error: "HTTP 500",
          responseBody: "boom",
        }),
        create(AttemptSchema, {
          attemptNumber: 2,
          statusCode: 0,
          latencyMs: 5000,
          error: "timed out after 5 s",
        }),
      ],
    }),
  ],
});

describe("MessagesPage", () => {
  it("filters by status, and expands a message into its payload and every attempt", async () => {
    const requests: ListMessagesRequest[] = [];
    const retried: string[][] = [];
    renderPage(<MessagesPage />, (router) => {
      router.service(MessageService, {
        listMessages: (req) => {
          requests.push(req);
          return { messages: [{ ...message, deliveries: [] }] };
        },
        getMessage: () => ({ message }),
      });
      router.service(DeliveryService, {
        retryDeliveries: (req) => {
          retried.push([...req.ids]);
          return { deliveriesRequeued: 1 };
        },
      });
    });
    const user = userEvent.setup();
    await screen.findByText("msg_1");
    await user.selectOptions(screen.getByLabelText("Status"), "failed");
    await vi.waitFor(() => expect(requests.at(-1)?.status).toBe("failed"));

    await user.click(screen.getByRole("button", { name: "Show details of msg_1" }));
    const attempts = await screen.findByRole("table", { name: "Attempts" });
    expect(within(attempts).getAllByRole("row")).toHaveLength(3);
    expect(within(attempts).getByText("timed out after 5 s")).toBeTruthy();
    expect(within(attempts).getByText("No response")).toBeTruthy();
    expect(screen.getByText('"ord_42"')).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Retry" }));
    await vi.waitFor(() => expect(retried).toEqual([["dlv_1"]]));
  });

  it("explains an empty list, and how to clear filters that match nothing", async () => {
    renderPage(<MessagesPage />, (router) => {
      router.service(MessageService, { listMessages: () => ({ messages: [] }) });
    });
    expect(await screen.findByRole("heading", { name: "No messages yet" })).toBeTruthy();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Status"), "delivered");
    expect(await screen.findByRole("heading", { name: "No messages match these filters" })).toBeTruthy();
  });

  it("refuses search text that is not an id", async () => {
    renderPage(<MessagesPage />, (router) => {
      router.service(MessageService, { listMessages: () => ({ messages: [] }) });
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Find a message by id"), "order.paid{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("Enter a message id");
  });
});
