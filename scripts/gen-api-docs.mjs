// `npm run docs:api`: writes docs/api.md from proto/ so the reference cannot drift
// from the API. `buf build` compiles the proto into a FileDescriptorSet with its
// comments; every RPC, its REST route (google.api.http), who may call it, and
// the fields of its request and response come from there. Who may call what and
// which service serves what are the two tables below, kept in step with
// packages/rpc/src/auth-interceptor.ts and the services' parts. The hand-written
// prose is in the templates at the end of this file.
//
// `node scripts/gen-api-docs.mjs --check` exits 1 when docs/api.md is out of date.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const output = resolve(root, "docs/api.md");
const apiPackage = "piperelay.v1";

/** Exceptions to "ApplicationService needs the admin token, everything else an API key". */
const authExceptions = {
  "HealthService/CheckHealth": "none",
  "HealthService/CheckLiveness": "none",
  "HealthService/CheckReadiness": "none",
  "HealthService/GetStats": "API key or admin",
  "HealthService/GetStatsSeries": "API key or admin",
};
function authOf(service, method) {
  return authExceptions[`${service}/${method}`] ?? (service === "ApplicationService" ? "admin" : "API key");
}

/** Ingest serves SendMessage and SendMessages, admin the rest; every process answers the health checks. */
const everyProcess = new Set(["CheckHealth", "CheckLiveness", "CheckReadiness"]);
function servedBy(service, method) {
  if (service === "MessageService" && (method === "SendMessage" || method === "SendMessages"))
    return "ingest";
  if (service === "HealthService" && everyProcess.has(method)) return "ingest, admin, dispatcher";
  return "admin";
}

// --- reading the descriptors --------------------------------------------------

function buildImage() {
  const json = execFileSync("npx", ["--no", "buf", "build", "-o", "-#format=json"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(json);
}

/** Comment text of a source location, as one paragraph per blank-line-separated block. */
function cleanComment(text) {
  if (!text) return "";
  return text
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .join(" "),
    )
    .filter(Boolean)
    .join("\n\n");
}

/** Services in the order of the flow; any other follows in file order. */
const serviceOrder = [
  "ApplicationService",
  "EndpointService",
  "MessageService",
  "DeliveryService",
  "HealthService",
];
const rank = (name) => (serviceOrder.includes(name) ? serviceOrder.indexOf(name) : serviceOrder.length);

/** Every message and service of the API package, with comments, keyed by full name. */
function readApi(image) {
  const messages = new Map();
  const services = [];
  for (const file of image.file.filter((f) => f.package === apiPackage)) {
    const comments = new Map(
      (file.sourceCodeInfo?.location ?? []).map((l) => [(l.path ?? []).join("."), l.leadingComments]),
    );
    const comment = (path) => cleanComment(comments.get(path.join(".")));
    const addMessage = (message, prefix, path) => {
      const fullName = `${prefix}.${message.name}`;
      messages.set(fullName, {
        name: message.name,
        fullName,
        file: file.name,
        mapEntry: message.options?.mapEntry === true,
        comment: comment(path),
        fields: (message.field ?? []).map((field, i) => ({ ...field, comment: comment([...path, 2, i]) })),
      });
      for (const [i, nested] of (message.nestedType ?? []).entries())
        addMessage(nested, fullName, [...path, 3, i]);
    };
    for (const [i, message] of (file.messageType ?? []).entries())
      addMessage(message, `.${file.package}`, [4, i]);
    for (const [si, service] of (file.service ?? []).entries()) {
      services.push({
        name: service.name,
        file: file.name,
        comment: comment([6, si]),
        methods: (service.method ?? []).map((method, mi) => ({
          name: method.name,
          input: method.inputType,
          output: method.outputType,
          http: method.options?.["[google.api.http]"],
          comment: comment([6, si, 2, mi]),
        })),
      });
    }
  }
  services.sort((a, b) => rank(a.name) - rank(b.name));
  return { messages, services };
}

// --- rendering ----------------------------------------------------------------

const scalarNames = {
  TYPE_STRING: "string",
  TYPE_BOOL: "bool",
  TYPE_INT32: "int32",
  TYPE_UINT32: "uint32",
  TYPE_INT64: "int64 (a string in JSON)",
  TYPE_UINT64: "uint64 (a string in JSON)",
  TYPE_DOUBLE: "double",
  TYPE_FLOAT: "float",
  TYPE_BYTES: "bytes (base64 in JSON)",
};
const wellKnown = {
  ".google.protobuf.Timestamp": "timestamp (RFC 3339 string)",
  ".google.protobuf.Value": "any JSON value",
  ".google.protobuf.Struct": "JSON object",
  ".google.protobuf.Duration": "duration (string such as `1.5s`)",
};

function typeOf(field, api) {
  if (field.type === "TYPE_MESSAGE") {
    const message = api.messages.get(field.typeName);
    if (message?.mapEntry) {
      const [key, value] = message.fields;
      return `${code(`map<${typeOf(key, api)}, ${typeOf(value, api)}>`)} (JSON object)`;
    }
    const base =
      wellKnown[field.typeName] ?? (message ? `[${message.name}](#${anchor(message.name)})` : field.typeName);
    return field.label === "LABEL_REPEATED" ? `list of ${base}` : base;
  }
  const base = scalarNames[field.type] ?? field.type.replace(/^TYPE_/, "").toLowerCase();
  return field.label === "LABEL_REPEATED" ? `list of ${base}` : base;
}

const anchor = (heading) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
const cell = (text) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const code = (text) => `\`${text}\``;

/** A Markdown table with padded columns, so the file reads well as text too. */
function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(all[0]),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...all.slice(1).map(line),
  ].join("\n");
}

function fieldTable(message, api, omit = new Set()) {
  const fields = message.fields.filter((f) => !omit.has(f.name));
  if (fields.length === 0) return "";
  return table(
    ["field", "type", "description"],
    fields.map((f) => [code(f.name), typeOf(f, api) + (f.proto3Optional ? ", optional" : ""), f.comment]),
  );
}

function routeOf(http) {
  if (!http) return undefined;
  for (const verb of ["get", "post", "put", "delete", "patch"]) {
    if (http[verb])
      return { verb: verb.toUpperCase(), path: http[verb], body: http.body, responseBody: http.responseBody };
  }
  if (http.custom) return { verb: http.custom.kind, path: http.custom.path, body: http.body };
  return undefined;
}

const pathParams = (path) => new Set([...path.matchAll(/\{([^}=]+)/g)].map((m) => m[1]));

function renderMethod(service, method, api) {
  const route = routeOf(method.http);
  const input = api.messages.get(method.input);
  const outputMessage = api.messages.get(method.output);
  const lines = [`### ${method.name}`, ""];
  const facts = [
    route ? `REST ${code(`${route.verb} ${route.path}`)}` : "no REST route",
    `RPC ${code(`${apiPackage}.${service.name}/${method.name}`)}`,
    `auth: ${authOf(service.name, method.name)}`,
    `served by ${servedBy(service.name, method.name)}`,
  ];
  lines.push(facts.join(" · "), "");
  if (method.comment) lines.push(method.comment, "");

  const inPath = route ? pathParams(route.path) : new Set();
  if (input.fields.length === 0) {
    lines.push(`**Request** ${code(input.name)}: no fields.`, "");
  } else {
    let where = "";
    if (route) {
      const parts = [];
      if (inPath.size > 0) parts.push(`${[...inPath].map(code).join(", ")} in the path`);
      const others = input.fields.some((f) => !inPath.has(f.name));
      const rest = inPath.size > 0 ? "the other fields" : "the fields";
      if (route.body === "*") {
        if (others) parts.push(`${rest} as the JSON body`);
      } else if (route.body) {
        parts.push(`${code(route.body)} as the JSON body, the rest as query parameters`);
      } else if (others) {
        parts.push(`${rest} as query parameters`);
      }
      where = ` (REST: ${parts.join("; ")})`;
    }
    lines.push(`**Request** ${code(input.name)}${where}:`, "", fieldTable(input, api), "");
  }

  const responseField = route?.responseBody
    ? outputMessage.fields.find((f) => f.name === route.responseBody)
    : undefined;
  if (responseField) {
    const inner = api.messages.get(responseField.typeName);
    lines.push(
      `**Response** ${code(outputMessage.name)}: ${code(responseField.name)}, ${
        inner ? `a [${inner.name}](#${anchor(inner.name)})` : typeOf(responseField, api)
      }. Over REST the response body is that ${code(responseField.name)} object itself, not wrapped.`,
      "",
    );
  } else if (outputMessage.fields.length === 0) {
    lines.push(`**Response** ${code(outputMessage.name)}: no fields.`, "");
  } else {
    lines.push(`**Response** ${code(outputMessage.name)}:`, "", fieldTable(outputMessage, api), "");
  }
  return lines.join("\n");
}

/** Messages used inside requests and responses (Application, Endpoint, Delivery, …), in proto order. */
function sharedTypes(api) {
  const envelopes = new Set(api.services.flatMap((s) => s.methods.flatMap((m) => [m.input, m.output])));
  const fileRank = (file) => api.services.findIndex((s) => s.file === file);
  return [...api.messages.values()]
    .filter((m) => !envelopes.has(m.fullName) && !m.mapEntry)
    .sort((a, b) => fileRank(a.file) - fileRank(b.file));
}

function render(api) {
  const overview = table(
    ["REST", "RPC", "auth", "served by"],
    api.services.flatMap((service) =>
      service.methods.map((method) => {
        const route = routeOf(method.http);
        return [
          route ? code(`${route.verb} ${route.path}`) : "—",
          `[${service.name}/${method.name}](#${anchor(method.name)})`,
          authOf(service.name, method.name),
          servedBy(service.name, method.name),
        ];
      }),
    ),
  );
  const services = api.services.map((service) =>
    [
      `## ${service.name}`,
      "",
      `Defined in [${code(`proto/${service.file}`)}](../proto/${service.file}).`,
      "",
      service.comment,
      "",
      ...service.methods.map((method) => renderMethod(service, method, api)),
    ].join("\n"),
  );
  const types = sharedTypes(api).map((message) =>
    [`### ${message.name}`, "", message.comment, "", fieldTable(message, api)].join("\n"),
  );
  return [
    introTemplate.trim(),
    "",
    "## Overview",
    "",
    overview,
    "",
    ...services,
    "## Types",
    "",
    "Messages that appear inside requests and responses.",
    "",
    types.join("\n\n"),
    "",
    errorsTemplate.trim(),
    "",
    clientsTemplate.trim(),
    "",
  ]
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}

// --- hand-written sections ----------------------------------------------------

const introTemplate = `
# API

<!-- Generated by scripts/gen-api-docs.mjs from proto/ (npm run docs:api). Edit the proto comments or the script's templates, not this file. -->

The API is defined in [\`proto/piperelay/v1\`](../proto/piperelay/v1); every RPC is served as gRPC, Connect and REST JSON on the same port (default 8080). REST paths come from the \`google.api.http\` annotations in the proto.

- **JSON.** REST and Connect JSON use the proto field names (snake_case, \`event_type\`), and responses include every field, defaults too. Unknown fields in a request are an error. Timestamps are RFC 3339 strings. The generated TypeScript types (and most other languages') use camelCase (\`eventType\`).
- **Auth.** \`Authorization: Bearer <token>\`: the admin token (\`PIPERELAY_ADMIN_TOKEN\`) for ApplicationService, an application's API key for everything scoped to that application; \`/api/v1/health\`, \`/api/v1/health/live\` and \`/api/v1/health/ready\` need none. An application sees only its own data: other applications' ids answer 404.
- **Services.** SendMessage and SendMessages are served by the ingest service, everything else by the admin service, and the health checks by every process, the dispatcher included (its port serves nothing else but \`GET /metrics\`, see [observability](observability.md#metrics)). A single-process install (\`piperelay serve\`) serves all of them on one port; in docker-compose.yml ingest listens on 8081 and admin on 8080 ([self-hosting](self-hosting.md)).
- **Lists** take \`limit\` (1–200, default 50) and \`cursor\` (the previous page's \`next_cursor\`, empty on the last page).
- **Errors** are JSON \`{"code": "...", "message": "..."}\` with the HTTP status of the matching gRPC code ([below](#errors)).
`;

const errorsTemplate = `
## Errors

| status | gRPC code          | when                                                                                             |
| ------ | ------------------ | ------------------------------------------------------------------------------------------------ |
| 400    | INVALID_ARGUMENT   | malformed JSON, unknown fields or query parameters, invalid values (the message names the field) |
| 401    | UNAUTHENTICATED    | missing or unknown API key / admin token                                                         |
| 403    | PERMISSION_DENIED  | application management on a server with no admin token configured (outside local mode)           |
| 404    | NOT_FOUND          | unknown id, or another application's id                                                          |
| 405    | —                  | known path, wrong method                                                                         |
| 409    | ALREADY_EXISTS     | conflicting create                                                                               |
| 409    | ABORTED            | the application's endpoints changed during each of five tries to store; nothing stored, resend   |
| 413    | RESOURCE_EXHAUSTED | payload or request body over the limit                                                           |
| 501    | UNIMPLEMENTED      | the method is served by another service (e.g. SendMessage sent to the admin service)             |
| 503    | UNAVAILABLE        | PostgreSQL or NATS down (health, readiness), or the process is shutting down (readiness)         |
`;

const clientsTemplate = `
## Clients

TypeScript: [\`@piperelay/client\`](../packages/client) wraps the generated Connect clients with the API key and a choice of Connect or gRPC.

Other languages generate a client from \`proto/\` with [buf](https://buf.build/docs/): the only imports besides the well-known types are the \`google.api.http\` annotations, vendored in \`proto/google/api\` with their usual \`go_package\`/\`java_package\` options. A \`buf.gen.yaml\` in your project, next to a checkout of this repository (or point \`directory\` at wherever \`proto/\` is):

\`\`\`yaml
version: v2
inputs:
  - directory: piperelay/proto
managed:
  enabled: true
  disable:
    # keep google/api's own options: Go imports it from google.golang.org/genproto
    - path: google
  override:
    - file_option: go_package_prefix
      value: example.com/yourapp/gen/piperelay
plugins:
  # Go: protobuf types plus a Connect client (connectrpc.com/connect), or gRPC (google.golang.org/grpc)
  - remote: buf.build/protocolbuffers/go
    out: gen/go
    opt: paths=source_relative
  - remote: buf.build/connectrpc/go
    out: gen/go
    opt: paths=source_relative
  - remote: buf.build/grpc/go
    out: gen/go
    opt: paths=source_relative
  # Python: messages, type stubs and gRPC stubs (grpcio)
  - remote: buf.build/protocolbuffers/python
    out: gen/python
  - remote: buf.build/protocolbuffers/pyi
    out: gen/python
  - remote: buf.build/grpc/python
    out: gen/python
  # Java: messages and gRPC stubs (grpc-java)
  - remote: buf.build/protocolbuffers/java
    out: gen/java
  - remote: buf.build/grpc/java
    out: gen/java
\`\`\`

Keep the plugins your team needs and run \`buf generate\`. gRPC clients connect with plaintext HTTP/2 to an \`http://\` PipeRelay (or TLS through your proxy) and send the token as \`authorization: Bearer …\` metadata. REST needs no generated code at all.
`;

// --- main -------------------------------------------------------------------------

const markdown = render(readApi(buildImage()));
if (process.argv.includes("--check")) {
  const current = readFileSync(output, "utf8");
  if (current !== markdown) {
    console.error("docs/api.md is out of date: run npm run docs:api");
    process.exit(1);
  }
} else {
  writeFileSync(output, markdown);
  console.log(`wrote ${output}`);
}
