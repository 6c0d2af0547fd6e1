import { describe, expect, it } from "vitest";
import { createEndOfTurn } from "./end-of-turn.js";

describe("createEndOfTurn", () => {
  it("runs the tasks queued by one turn's callbacks together, after all of them", async () => {
    const errors: unknown[] = [];
    const later = createEndOfTurn((error) => errors.push(error));
    const log: string[] = [];
    // Two timers due together run in one turn; the queue runs once both have.
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        later(() => log.push("a"));
        log.push("callback 1");
      }, 5);
      setTimeout(() => {
        later(() => log.push("b"));
        log.push("callback 2");
        setImmediate(() => resolve());
      }, 5);
    });
    expect(log).toEqual(["callback 1", "callback 2", "a", "b"]);
    expect(errors).toEqual([]);
  });

  it("hands a task's error to onError and still runs the rest", async () => {
    const errors: unknown[] = [];
    const later = createEndOfTurn((error) => errors.push(error));
    const ran: string[] = [];
    later(() => {
      throw new Error("boom");
    });
    later(() => ran.push("after"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(["after"]);
    expect(errors).toEqual([new Error("boom")]);
    // The queue starts over for the next turn.
    later(() => ran.push("next turn"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(["after", "next turn"]);
  });
});
