import { describe, expect, it } from "vitest";
import { eventTypePatternProblem, eventTypeProblem, patternsMatching } from "./event-types.js";

/**
 * The subscription rule as the design states it, spelled out directly: ingest's
 * database matching (patternsMatching) must agree with it. Whether an endpoint subscribed to `patterns` receives `eventType`. An empty
 * list means every event type; `*` matches everything; `alert.*` matches
 * `alert.triggered` and `alert.cpu.high` but not `alert` itself.
 */
function matchesEventType(patterns: readonly string[], eventType: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    if (pattern === "*") return true;
    if (pattern.endsWith(".*")) return eventType.startsWith(pattern.slice(0, -1));
    return pattern === eventType;
  });
}

describe("matchesEventType", () => {
  it("treats an empty subscription list as every event type", () => {
    expect(matchesEventType([], "session.completed")).toBe(true);
  });
  it("matches exact names only exactly", () => {
    expect(matchesEventType(["session.completed"], "session.completed")).toBe(true);
    expect(matchesEventType(["session.completed"], "session.completedx")).toBe(false);
  });
  it("matches prefix wildcards below the prefix but not the prefix itself", () => {
    expect(matchesEventType(["alert.*"], "alert.triggered")).toBe(true);
    expect(matchesEventType(["alert.*"], "alert.cpu.high")).toBe(true);
    expect(matchesEventType(["alert.*"], "alert")).toBe(false);
    expect(matchesEventType(["alert.*"], "alerts.triggered")).toBe(false);
  });
  it("matches everything with a star", () => {
    expect(matchesEventType(["x", "*"], "anything")).toBe(true);
  });
});

describe("eventTypeProblem", () => {
  it("accepts letters, digits, dots, underscores and dashes", () => {
    expect(eventTypeProblem("a.B_c-9")).toBeUndefined();
  });
  it.each([
    ["", "is required"],
    ["has space", "may contain only"],
    ["a".repeat(257), "at most 256"],
    ["tab\there", "may contain only"],
  ])("rejects %j", (value, message) => {
    expect(eventTypeProblem(value)).toContain(message);
  });
  it("accepts wildcard patterns and rejects malformed ones", () => {
    expect(eventTypePatternProblem("alert.*")).toBeUndefined();
    expect(eventTypePatternProblem("*")).toBeUndefined();
    expect(eventTypePatternProblem("al ert.*")).toBeDefined();
    expect(eventTypePatternProblem("*.x")).toBeDefined();
  });
});

describe("patternsMatching", () => {
  it("lists exactly the non-empty subscriptions matchesEventType accepts", () => {
    const eventTypes = ["alert", "alert.cpu", "alert.cpu.high", "a.b.c.d", "x-y_z", "alert.", ".x"];
    const patterns = [
      "*",
      "alert",
      "alert.*",
      "alert.cpu",
      "alert.cpu.*",
      "a.*",
      "a.b.*",
      "a.b.c.*",
      "x-y_z",
      "x.*",
      "alert.cpu.high.*",
    ];
    for (const eventType of eventTypes) {
      const listed = new Set(patternsMatching(eventType));
      for (const pattern of patterns) {
        expect(listed.has(pattern), `${pattern} for ${eventType}`).toBe(
          matchesEventType([pattern], eventType),
        );
      }
    }
    expect(patternsMatching("alert.cpu.high")).toEqual(["*", "alert.cpu.high", "alert.*", "alert.cpu.*"]);
  });
});
