// undici POSTs as the dispatcher makes them: the same agent settings, the
// payload as ingest stores it, both signature schemes computed per request,
// and at most 1 KiB of the response read.
import { signatureHeaders } from "@piperelay/signing";
import { Agent, request } from "undici";
import { benchPayload } from "../load.js";
import { runWorkers, type WorkerRun } from "./run-workers.js";

export async function measureHttp(
  receiverBaseUrl: string,
  options: { concurrency: number; warmupMs: number; measureMs: number },
): Promise<WorkerRun & { concurrency: number }> {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const timeoutMs = 30_000;
  let n = 0;
  try {
    const run = await runWorkers(options.concurrency, options.warmupMs, options.measureMs, async () => {
      const body = JSON.stringify(benchPayload("http-ceiling"));
      const messageId = `msg_ceiling${n++}`;
      const response = await request(`${receiverBaseUrl}/hook/0`, {
        method: "POST",
        body,
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: {
          "content-type": "application/json",
          "user-agent": "PipeRelay/bench",
          ...signatureHeaders({ secret, messageId, timestamp: Math.floor(Date.now() / 1000), body }),
        },
      });
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size >= 1024) break;
      }
      response.body.destroy();
      if (response.statusCode !== 200) throw new Error(`receiver answered ${response.statusCode}`);
    });
    return { ...run, concurrency: options.concurrency };
  } finally {
    await agent.close();
  }
}
