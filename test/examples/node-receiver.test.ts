import { describeReceiverExample } from "./receiver-example.js";

describeReceiverExample({
  name: "Node.js",
  command: process.execPath,
  args: ["examples/node-receiver/server.mjs"],
});
