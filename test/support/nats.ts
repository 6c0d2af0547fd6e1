import { randomBytes } from "node:crypto";

/** A NATS prefix of the test's own, so its stream, subjects and consumer collide with nothing. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}
