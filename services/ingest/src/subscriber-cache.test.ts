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

  it("holds at most its bound of endpoint ids, dropping the applications cached longest ago", () => {
    // Each match weighs one plus its endpoint ids.
    const cache = createSubscriberCache(6);
    cache.put("app_1", "a", { version: "1", endpointIds: ["ep_1"] });
    cache.put("app_2", "a", { version: "1", endpointIds: [] });
    cache.put("app_2", "b", { version: "1", endpointIds: ["ep_2"] });
    expect(cache.get("app_1", "a")).toBeDefined();
    cache.put("app_3", "a", { version: "1", endpointIds: ["ep_3"] });
    expect(cache.get("app_1", "a")).toBeUndefined();
    expect(cache.get("app_2", "b")).toBeDefined();
    expect(cache.get("app_3", "a")).toBeDefined();

    // One application holding more than the bound starts afresh rather than grow past it.
    cache.put("app_3", "b", { version: "1", endpointIds: ["ep_3", "ep_4", "ep_5"] });
    expect(cache.get("app_2", "a")).toBeUndefined();
    expect(cache.get("app_3", "b")).toBeDefined();
    expect(cache.get("app_3", "a")).toBeDefined();
    cache.put("app_3", "c", { version: "1", endpointIds: ["ep_3", "ep_4"] });
    expect(cache.get("app_3", "c")).toBeDefined();
    expect(cache.get("app_3", "b")).toBeUndefined();

    // A match heavier than the whole bound is not kept: it is matched afresh each time.
    cache.put("app_4", "a", { version: "1", endpointIds: ["1", "2", "3", "4", "5", "6"] });
    expect(cache.get("app_4", "a")).toBeUndefined();
    expect(cache.get("app_3", "c")).toBeDefined();
  });
});
