import { FailureError } from "@piperelay/rpc";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { pageSize, takePage } from "./page.js";

describe("cursors", () => {
  it("round-trips an id and treats the empty cursor as the first page", () => {
    const id = "msg_01JF3ZK8Q9M2N4P6R8S0T2V4X6";
    expect(decodeCursor(encodeCursor(id), "msg")).toBe(id);
    expect(decodeCursor("", "msg")).toBeUndefined();
  });

  it.each([["!!!"], ["bXNn"], [encodeCursor("ep_01JF3ZK8Q9")], [`${encodeCursor("msg_01JF3ZK8Q9")}=`]])(
    "rejects the malformed cursor %j as invalid_argument on the cursor field",
    (cursor) => {
      expect(() => decodeCursor(cursor, "msg")).toThrow(FailureError);
      try {
        decodeCursor(cursor, "msg");
      } catch (error) {
        expect((error as FailureError).failure).toMatchObject({
          outcome: "invalid_argument",
          field: "cursor",
        });
      }
    },
  );
});

describe("pages", () => {
  it("defaults to 50, accepts 1 to 200 and rejects anything else", () => {
    expect(pageSize(0)).toBe(50);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(200)).toBe(200);
    for (const limit of [-1, 201]) expect(() => pageSize(limit)).toThrow(/limit: must be between 1 and 200/);
  });

  it("returns a next cursor only when the extra row shows there is another page", () => {
    const rows = [{ id: "app_1" }, { id: "app_2" }, { id: "app_3" }];
    expect(takePage(rows, 3)).toEqual({ items: rows, nextCursor: "" });
    expect(takePage(rows, 2)).toEqual({ items: rows.slice(0, 2), nextCursor: encodeCursor("app_2") });
  });
});
