// The RPC ceiling's server (bench/dist/rpc-server.mjs): ingest's API server
// (createApiServer: the h2c sniff, Connect, the REST transcoder, the error and
// auth interceptors) with a SendMessage that stores and publishes nothing, in
// a process of its own like ingest's. Tells the parent its port over IPC.
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { MessageService, SendMessageResponseSchema } from "@piperelay/proto";
import { createApiServer, servicePart } from "@piperelay/rpc";

let sequence = 0;
const server = createApiServer({
  parts: [
    servicePart(MessageService, {
      sendMessage: (req) =>
        create(SendMessageResponseSchema, {
          id: `msg_${(sequence++).toString(36)}`,
          eventType: req.eventType,
          status: "pending",
          endpointsTargeted: 1,
          timestamp: timestampNow(),
        }),
    }),
  ],
  auth: { openAdmin: false, resolveApiKey: async () => "app_ceiling" },
  maxBodyBytes: 1024 * 1024,
});
const { port } = await server.listen(0, "127.0.0.1");
process.send?.({ type: "listening", port });
process.on("disconnect", () => {
  server.close().finally(() => process.exit(0));
});
