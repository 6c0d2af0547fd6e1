// A TypeScript client for the PipeRelay API, and webhook verification for receivers.

export type { Client } from "@connectrpc/connect";
export { Code, ConnectError } from "@connectrpc/connect";
export type { VerifyOptions } from "@piperelay/signing";
export { verifyWebhook } from "@piperelay/signing";
export type { PipeRelayClient, PipeRelayClientOptions } from "./client.js";
export { createPipeRelayClient, jsonValue } from "./client.js";
