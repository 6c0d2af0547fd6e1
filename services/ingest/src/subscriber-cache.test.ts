import { describe, expect, it } from "vitest";
import { createSubscriberCache } from "./subscriber-cache.js";

describe("createSubscriberCache", () => {
  it("keeps matches per application and event type, replacing an application's on a newer version", () => {
    const cache = createSubscriberCache();
    cache.put("app_1", "order.paid", { version: "3", endpointIds: ["ep_1"] });
    cache.put("app_1", "user.created", { version: "3", endpointIds: [] });
    cache.put("app_2", "order.paid", { version: "9", endpointIds: ["ep_2"] });
    expect(cache.get("app_1", "order.paid")).toEqual({ version: "3", endpointIds: ["ep_1"] });
    expect(cache.get("app_1", "user.created")?.endpointIds).toEqual([]);

    // A match made at an older version (a slow statement) does not replace what is kept.
    cache.put("app_1", "order.paid", { version: "2", endpointIds: ["ep_old"] });
    expect(cache.get("app_1", "order.paid")?.endpointIds).toEqual(["ep_1"]);

    // A newer version drops every match of that application made before it.
    cache.put("app_1", "order.paid", { version: "10", endpointIds: ["ep_1", "ep_3"] });
    expect(cache.get("app_1", "order.paid")?.version).toBe("10");
    expect(cache.get("app_1", "user.created")).toBeUndefined();
    expect(cache.get("app_2", "order.paid")?.version).toBe("9");

    cache.forget("app_2");
    expect(cache.get("app_2", "order.paid")).toBeUndefined();
  });

  it("holds at most its bound, dropping the applications cached longest ago", () => {
    const cache = createSubscriberCache(3);
    cache.put("app_1", "a", { version: "1", endpointIds: [] });
    cache.put("app_2", "a", { version: "1", endpointIds: [] });
    cache.put("app_2", "b", { version: "1", endpointIds: [] });
    cache.put("app_3", "a", { version: "1", endpointIds: [] });
    expect(cache.get("app_1", "a")).toBeUndefined();
    expect(cache.get("app_2", "b")).toBeDefined();
    expect(cache.get("app_3", "a")).toBeDefined();

    // One application with more event types than the bound starts afresh rather than grow past it.
    for (const type of ["b", "c", "d"]) cache.put("app_3", type, { version: "1", endpointIds: [] });
    expect(cache.get("app_2", "a")).toBeUndefined();
    expect(cache.get("app_3", "d")).toBeDefined();
    expect(
      ["a", "b", "c", "d"].filter((type) => cache.get("app_3", type) !== undefined).length,
    ).toBeLessThanOrEqual(3);
  });
});
