import type { JsonObject } from "@bufbuild/protobuf";
import { FieldDescriptorProtoSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  ListMessagesRequestSchema,
  ToggleEndpointRequestSchema,
  UpdateEndpointRequestSchema,
} from "@piperelay/proto";
import { describe, expect, it } from "vitest";
import { setFieldFromStrings } from "./request-fields.js";

function set(
  schema: Parameters<typeof setFieldFromStrings>[1],
  key: string,
  ...values: string[]
): JsonObject {
  const target: JsonObject = {};
  setFieldFromStrings(target, schema, key.split("."), values, `query parameter "${key}"`);
  return target;
}

describe("URL strings to request fields", () => {
  it("coerce integers and refuse non-integers and out-of-range values", () => {
    expect(set(ListMessagesRequestSchema, "limit", "10")).toEqual({ limit: 10 });
    expect(() => set(ListMessagesRequestSchema, "limit", "1.5")).toThrow("expected an integer");
    expect(() => set(ListMessagesRequestSchema, "limit", "2147483648")).toThrow("out of range");
  });

  it("keep 64-bit integers exact as strings", () => {
    expect(set(TimestampSchema, "seconds", "9007199254740993")).toEqual({ seconds: "9007199254740993" });
  });

  it("accept only true and false for booleans", () => {
    expect(set(ToggleEndpointRequestSchema, "is_active", "true")).toEqual({ is_active: true });
    expect(set(ToggleEndpointRequestSchema, "isActive", "false")).toEqual({ is_active: false });
    expect(() => set(ToggleEndpointRequestSchema, "is_active", "yes")).toThrow("expected true or false");
  });

  it("accept RFC 3339 timestamps only", () => {
    expect(set(ListMessagesRequestSchema, "since", "2026-01-01T00:00:00Z")).toEqual({
      since: "2026-01-01T00:00:00Z",
    });
    expect(() => set(ListMessagesRequestSchema, "since", "2026-01-01")).toThrow("RFC 3339");
  });

  it("accept enum values by name or number", () => {
    expect(set(FieldDescriptorProtoSchema, "type", "TYPE_STRING")).toEqual({ type: "TYPE_STRING" });
    expect(set(FieldDescriptorProtoSchema, "type", "9")).toEqual({ type: "TYPE_STRING" });
    expect(() => set(FieldDescriptorProtoSchema, "type", "TEXT")).toThrow("expected one of");
  });

  it("collect repeated parameters into a list and refuse repeats of a single field", () => {
    expect(set(UpdateEndpointRequestSchema, "event_types", "a.b", "c.*")).toEqual({
      event_types: ["a.b", "c.*"],
    });
    expect(() => set(ListMessagesRequestSchema, "cursor", "a", "b")).toThrow("given 2 times");
  });

  it("refuse unknown fields and fields that cannot come from a URL", () => {
    expect(() => set(ListMessagesRequestSchema, "colour", "red")).toThrow('unknown query parameter "colour"');
    expect(() => set(UpdateEndpointRequestSchema, "metadata", "x")).toThrow("map field");
    expect(() => set(ListMessagesRequestSchema, "since.seconds", "1")).toThrow("unknown");
  });
});
