import { createClient, createRouterTransport } from "@connectrpc/connect";
import { EndpointService, MessageService } from "@piperelay/proto";
import { describe, expect, it } from "vitest";
import { mergeServiceParts, servicePart } from "./service-parts.js";

describe("mergeServiceParts", () => {
  it("merges partial implementations of one service into one registration", async () => {
    const ingest = servicePart(MessageService, { sendMessage: () => ({ id: "msg_1" }) });
    const admin = servicePart(MessageService, { listMessages: () => ({ nextCursor: "next" }) });
    const endpoints = servicePart(EndpointService, {
      deleteEndpoint: (req) => ({ id: req.id, deleted: true }),
    });
    const merged = mergeServiceParts([ingest, endpoints, admin]);
    expect(merged.map((p) => p.service.typeName)).toEqual([
      "piperelay.v1.MessageService",
      "piperelay.v1.EndpointService",
    ]);
    const transport = createRouterTransport((router) => {
      for (const part of merged) router.service(part.service, part.implementation);
    });
    const client = createClient(MessageService, transport);
    await expect(client.sendMessage({})).resolves.toMatchObject({ id: "msg_1" });
    await expect(client.listMessages({})).resolves.toMatchObject({ nextCursor: "next" });
  });

  it("refuses a method implemented by two parts", () => {
    const a = servicePart(MessageService, { sendMessage: () => ({}) });
    const b = servicePart(MessageService, { sendMessage: () => ({}) });
    expect(() => mergeServiceParts([a, b])).toThrow(
      "piperelay.v1.MessageService/SendMessage is implemented by more than one service part",
    );
  });

  it("refuses an implementation of a method the service does not have", () => {
    const part = { service: MessageService, implementation: { sendMesage: () => ({}) } };
    expect(() => mergeServiceParts([part])).toThrow('piperelay.v1.MessageService has no method "sendMesage"');
  });
});
