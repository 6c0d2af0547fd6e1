import { describeReceiverExample } from "./receiver-example.js";

describeReceiverExample({
  name: "Python",
  command: "python3",
  args: ["examples/python-receiver/receiver.py"],
});
