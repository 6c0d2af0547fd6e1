import type { JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";

/**
 * The one JSON format of the API, shared by Connect (JSON codec) and the REST
 * transcoder so both spell messages the same way: proto field names
 * (`event_type`, not `eventType`) and every field present, defaults included,
 * so clients never have to guess what a missing key means. Reading rejects
 * unknown fields, so a misspelt field is an error rather than silently
 * dropped; protobuf-es does that by default, but Connect's JSON codec ignores
 * unknown fields unless told otherwise, hence the explicit `false`.
 */
export const jsonOptions: Readonly<Partial<JsonReadOptions & JsonWriteOptions>> = Object.freeze({
  alwaysEmitImplicit: true,
  useProtoFieldName: true,
  ignoreUnknownFields: false,
});
