import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type Value, ValueSchema } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import {
  ApplicationService,
  DeliveryService,
  EndpointService,
  HealthService,
  MessageService,
} from "@piperelay/proto";

/** Options of {@link createPipeRelayClient}. */
export interface PipeRelayClientOptions {
  /**
   * Where PipeRelay serves its API, e.g. `http://localhost:8080`: a single-process
   * install, or the admin service when ingest runs apart (then set `ingestUrl`).
   */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>` on every call: an application's API
   * key (`pk_live_…`), or the admin token for `applications` and stats of all
   * applications.
   */
  apiKey: string;
  /**
   * The protocol: Connect over HTTP/1.1, or gRPC over HTTP/2 (cleartext for
   * `http://` URLs). PipeRelay serves both on the same port.
   * @defaultValue "connect"
   */
  transport?: "connect" | "grpc";
  /**
   * Where SendMessage and SendMessages go when the ingest service has an address of its own
   * (the docker-compose.yml setup: admin on 8080, ingest on 8081).
   * @defaultValue baseUrl
   */
  ingestUrl?: string;
}

/** One generated Connect client per PipeRelay service, all sharing the options' credentials. */
export interface PipeRelayClient {
  applications: Client<typeof ApplicationService>;
  endpoints: Client<typeof EndpointService>;
  messages: Client<typeof MessageService>;
  deliveries: Client<typeof DeliveryService>;
  health: Client<typeof HealthService>;
  /** Closes the HTTP/2 connections of the gRPC transport; calls after it fail. A no-op for Connect. */
  close(): void;
}

/**
 * A client for the PipeRelay API. Methods and messages are the generated ones
 * of `proto/piperelay/v1` (camelCase fields: `eventType`, `endpointsTargeted`);
 * errors are `ConnectError`s whose `code` says what went wrong (`Code.NotFound`,
 * `Code.Unauthenticated`, …).
 */
export function createPipeRelayClient(options: PipeRelayClientOptions): PipeRelayClient {
  const authorization: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${options.apiKey}`);
    return next(request);
  };
  const sessions: Http2SessionManager[] = [];
  const transportTo = (baseUrl: string): Transport => {
    if (options.transport === "grpc") {
      const sessionManager = new Http2SessionManager(baseUrl);
      sessions.push(sessionManager);
      return createGrpcTransport({ baseUrl, sessionManager, interceptors: [authorization] });
    }
    return createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [authorization] });
  };
  const main = transportTo(options.baseUrl);
  const messages =
    options.ingestUrl === undefined || options.ingestUrl === options.baseUrl
      ? main
      : routeSendMessage(transportTo(options.ingestUrl), main);
  return {
    applications: createClient(ApplicationService, main),
    endpoints: createClient(EndpointService, main),
    messages: createClient(MessageService, messages),
    deliveries: createClient(DeliveryService, main),
    health: createClient(HealthService, main),
    close() {
      for (const session of sessions) session.abort();
    },
  };
}

/** A transport that sends MessageService.SendMessage and SendMessages to ingest and every other call to `rest`. */
function routeSendMessage(ingest: Transport, rest: Transport): Transport {
  const toIngest = new Set<string>([
    MessageService.method.sendMessage.name,
    MessageService.method.sendMessages.name,
  ]);
  const pick = (method: { parent: { typeName: string }; name: string }) =>
    method.parent.typeName === MessageService.typeName && toIngest.has(method.name) ? ingest : rest;
  return {
    unary: (method, ...rest) => pick(method).unary(method, ...rest),
    stream: (method, ...rest) => pick(method).stream(method, ...rest),
  };
}

/**
 * A `google.protobuf.Value` from plain JSON, for SendMessage's and
 * SendTestEvent's `payload`: `messages.sendMessage({ eventType, payload: jsonValue({ … }) })`.
 */
export function jsonValue(json: JsonValue): Value {
  return fromJson(ValueSchema, json);
}
