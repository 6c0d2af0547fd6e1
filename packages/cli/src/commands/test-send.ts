import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { acceptMessage, createMessageWriter, validateMessage } from "@piperelay/ingest";
import { SendMessageRequestSchema } from "@piperelay/proto";
import type { Command } from "commander";
import { configFrom, type GlobalOptions } from "../config-option.js";
import { withPublisher } from "../with-connections.js";

export function registerTestSend(program: Command): void {
  const test = program.command("test").description("tools for trying PipeRelay out");
  test
    .command("send")
    .description("send a message as an application, as POST /api/v1/messages would")
    .requiredOption("--app-id <id>", "the sending application")
    .requiredOption("--event <type>", "event type, e.g. test.ping")
    .option("--payload <json>", "JSON payload", "{}")
    .action(async (options: { appId: string; event: string; payload: string }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      let payload: unknown;
      try {
        payload = JSON.parse(options.payload);
      } catch {
        command.error("--payload must be valid JSON");
      }
      const request = create(SendMessageRequestSchema, {
        eventType: options.event,
        payload: fromJson(ValueSchema, payload as never),
      });
      const valid = validateMessage(request, null, config.server.max_payload_size);
      if ("outcome" in valid) command.error(`invalid message: ${JSON.stringify(valid)}`);
      const accepted = await withPublisher(config, async (db, publisher) => {
        const app = await db.prisma.application.findUnique({ where: { id: options.appId } });
        if (!app) command.error(`application ${options.appId} not found`);
        return acceptMessage(
          { prisma: db.prisma, writeMessage: createMessageWriter(db.pool), publisher },
          options.appId,
          valid,
        );
      });
      console.log(
        `${accepted.id}  ${accepted.eventType}  ${accepted.status}  endpoints_targeted=${accepted.endpointsTargeted}`,
      );
    });
}
