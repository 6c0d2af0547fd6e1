import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type CreateEndpointRequest,
  EndpointSchema,
  EndpointService,
  type UpdateEndpointRequest,
} from "@piperelay/proto";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderPage } from "../test-utils.js";
import { EndpointForm } from "./endpoint-form.js";

describe("EndpointForm", () => {
  it("creates an endpoint from what was typed", async () => {
    const created: CreateEndpointRequest[] = [];
    const onSaved = vi.fn();
    renderPage(<EndpointForm onCancel={() => {}} onSaved={onSaved} />, (router) =>
      router.service(EndpointService, {
        createEndpoint: (req) => {
          created.push(req);
          return { endpoint: { id: "ep_new", url: req.url } };
        },
      }),
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("URL"), "https://acme.example/hooks");
    await user.type(screen.getByLabelText("Event types"), "order.paid, invoice.*");
    await user.type(screen.getByLabelText(/Rate limit/), "25");
    await user.type(screen.getByLabelText("Description"), "Acme production");
    await user.type(screen.getByLabelText("Metadata"), "team=billing");
    await user.click(screen.getByRole("button", { name: "Create endpoint" }));

    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(created[0]).toMatchObject({
      url: "https://acme.example/hooks",
      eventTypes: ["order.paid", "invoice.*"],
      rateLimit: 25,
      description: "Acme production",
      metadata: { team: "billing" },
    });
  });

  it("edits every field of an endpoint, and shows the server's reason for refusing", async () => {
    const updates: UpdateEndpointRequest[] = [];
    const endpoint = create(EndpointSchema, {
      id: "ep_1",
      url: "https://acme.example/old",
      eventTypes: ["order.paid"],
      rateLimit: 10,
      metadata: { team: "billing" },
      isActive: true,
    });
    renderPage(<EndpointForm endpoint={endpoint} onCancel={() => {}} onSaved={() => {}} />, (router) =>
      router.service(EndpointService, {
        updateEndpoint: (req) => {
          updates.push(req);
          throw new ConnectError("url: must not point to an internal address", Code.InvalidArgument);
        },
      }),
    );
    const user = userEvent.setup();
    expect((screen.getByLabelText("Metadata") as HTMLTextAreaElement).value).toBe("team=billing");
    const rate = screen.getByLabelText(/Rate limit/);
    await user.clear(rate);
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    expect((await screen.findByRole("alert")).textContent).toContain("must not point to an internal address");
    expect(updates[0]).toMatchObject({
      id: "ep_1",
      url: "https://acme.example/old",
      eventTypes: ["order.paid"],
    });
    expect(updates[0]?.rateLimit).toBeUndefined();
    expect(updates[0]?.isActive).toBeUndefined();
  });

  it("catches malformed metadata before sending", async () => {
    const createEndpoint = vi.fn();
    renderPage(<EndpointForm onCancel={() => {}} onSaved={() => {}} />, (router) =>
      router.service(EndpointService, { createEndpoint }),
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("URL"), "https://acme.example/hooks");
    await user.type(screen.getByLabelText("Metadata"), "no equals sign");
    await user.click(screen.getByRole("button", { name: "Create endpoint" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Metadata, line 1: write key=value");
    expect(createEndpoint).not.toHaveBeenCalled();
  });
});
