import { describe, expect, it } from "vitest";
import { matchPathTemplate, PathTemplateError, parsePathTemplate } from "./path-template.js";

describe("path templates", () => {
  it("bind single-segment variables", () => {
    const template = parsePathTemplate("/api/v1/endpoints/{id}/toggle");
    expect(matchPathTemplate(template, "/api/v1/endpoints/ep_1/toggle")).toEqual([
      { fieldPath: ["id"], value: "ep_1" },
    ]);
    expect(matchPathTemplate(template, "/api/v1/endpoints/ep_1")).toBeUndefined();
    expect(matchPathTemplate(template, "/api/v1/endpoints/ep_1/toggle/x")).toBeUndefined();
  });

  it("decode percent-escapes and refuse malformed ones", () => {
    const template = parsePathTemplate("/items/{id}");
    expect(matchPathTemplate(template, "/items/a%2Fb%20c")).toEqual([{ fieldPath: ["id"], value: "a/b c" }]);
    expect(matchPathTemplate(template, "/items/%E0%A4%A")).toBeUndefined();
  });

  it("never bind an empty variable", () => {
    expect(matchPathTemplate(parsePathTemplate("/items/{id}"), "/items/")).toBeUndefined();
    expect(matchPathTemplate(parsePathTemplate("/files/{path=**}"), "/files")).toBeUndefined();
  });

  it("bind multi-segment variables, nested field paths and custom verbs", () => {
    const template = parsePathTemplate("/v1/{book.name=shelves/*/books/*}:archive");
    expect(template.verb).toBe("archive");
    expect(matchPathTemplate(template, "/v1/shelves/s1/books/b2:archive")).toEqual([
      { fieldPath: ["book", "name"], value: "shelves/s1/books/b2" },
    ]);
    expect(matchPathTemplate(template, "/v1/shelves/s1/books/b2")).toBeUndefined();
    expect(matchPathTemplate(parsePathTemplate("/files/{path=**}"), "/files/a/b/c")).toEqual([
      { fieldPath: ["path"], value: "a/b/c" },
    ]);
  });

  it("reject malformed templates", () => {
    for (const bad of ["no-slash", "/a/{id", "/a/**/b", "/a//b", "/a/{1x}"]) {
      expect(() => parsePathTemplate(bad), bad).toThrow(PathTemplateError);
    }
  });
});
