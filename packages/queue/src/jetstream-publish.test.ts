import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobStream, deleteJobStream, testPrefix } from "../../../test/support/nats.js";
import { natsUrl } from "../../../test/support/urls.js";
import { createJetStreamPublish, JetStreamPublishError } from "./jetstream-publish.js";
import { queueNames } from "./names.js";

let nc: NatsConnection;
const names = queueNames(testPrefix());
const data = new TextEncoder().encode("{}");

function withId(id: string) {
  const h = headers();
  h.set("Nats-Msg-Id", id);
  return h;
}

beforeAll(async () => {
  nc = await connect({ servers: natsUrl() });
  await createJobStream(nc, names);
});
afterAll(async () => {
  await deleteJobStream(nc, names);
  await nc?.close();
});

describe("createJetStreamPublish", () => {
  it("resolves with the stream's acknowledgement, and reports a repeated message id as a duplicate", async () => {
    const publish = createJetStreamPublish(nc, 5000);
    const subject = names.subject("app_1", "ep_1");
    const [first, second] = await Promise.all([
      publish(subject, data, withId("a")),
      publish(subject, data, withId("b")),
    ]);
    expect(first).toEqual({ stream: names.stream, seq: expect.any(Number), duplicate: false });
    expect(second?.seq).toBe((first?.seq ?? 0) + 1);
    expect(await publish(subject, data, withId("a"))).toEqual({ ...first, duplicate: true });
  });

  it("rejects a publish to a subject no stream takes", async () => {
    const publish = createJetStreamPublish(nc, 5000);
    await expect(publish(`${testPrefix()}.nowhere`, data, withId("c"))).rejects.toThrow(
      JetStreamPublishError,
    );
  });

  it("rejects a publish nobody acknowledges once the timeout has passed", async () => {
    const subject = `${testPrefix()}.silent`;
    const silent = nc.subscribe(subject);
    try {
      const publish = createJetStreamPublish(nc, 300);
      const started = Date.now();
      await expect(publish(subject, data, withId("d"))).rejects.toThrow(/within 300 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      silent.unsubscribe();
    }
  });

  it("keeps at most maxInFlight publishes waiting for an answer, sending the rest as those end", async () => {
    const subject = `${testPrefix()}.unanswered`;
    let received = 0;
    const silent = nc.subscribe(subject, {
      callback: () => {
        received++;
      },
    });
    try {
      const publish = createJetStreamPublish(nc, 300, 2);
      const outcomes = Array.from({ length: 5 }, (_, i) =>
        publish(subject, data, withId(`e${i}`)).then(
          () => "acknowledged",
          (error: unknown) => error,
        ),
      );
      await nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(received).toBe(2);
      // Each pair times out in turn and lets the next ones go.
      for (const outcome of await Promise.all(outcomes))
        expect(outcome).toBeInstanceOf(JetStreamPublishError);
      expect(received).toBe(5);
    } finally {
      silent.unsubscribe();
    }
  });

  it("sends publishes that waited in line in the order they were made", async () => {
    const publish = createJetStreamPublish(nc, 5000, 3);
    const subject = names.subject("app_1", "ep_in_line");
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => publish(subject, data, withId(`line-${i}`))),
    );
    const sequences = acks.map((ack) => ack.seq);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(20);
  });
});
