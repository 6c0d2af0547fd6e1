import {
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  ScalarType,
} from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Sets a field of a request, given as a path of field names, from strings taken
 * out of a URL (a path variable or query parameters), writing the field's
 * proto3 JSON form into `target` so the request is then parsed like any JSON
 * body. `values` has one entry per occurrence; only repeated fields take more
 * than one. `label` names the source in errors, e.g. `query parameter "limit"`.
 * Throws `ConnectError` with `Code.InvalidArgument` for unknown fields and
 * values of the wrong form.
 */
export function setFieldFromStrings(
  target: JsonObject,
  message: DescMessage,
  fieldPath: readonly string[],
  values: readonly string[],
  label: string,
): void {
  let object = target;
  let desc = message;
  for (const [i, name] of fieldPath.entries()) {
    const field = findField(desc, name);
    if (field === undefined) throw invalid(`unknown ${label}`);
    if (i === fieldPath.length - 1) {
      // The URL wins over a body that spells the same field either way.
      delete object[field.jsonName];
      object[field.name] = coerceField(field, values, label);
      return;
    }
    if (field.fieldKind !== "message" || stringFormOf(field.message) !== undefined) {
      throw invalid(`unknown ${label}`);
    }
    const next = object[field.name];
    const nested: JsonObject = isJsonObject(next) ? next : {};
    object[field.name] = nested;
    object = nested;
    desc = field.message;
  }
}

/** The field named `name`, by its proto name (`event_type`) or JSON name (`eventType`). */
export function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Whether a JSON value is a plain object (not an array or null). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function coerceField(field: DescField, values: readonly string[], label: string): JsonValue {
  switch (field.fieldKind) {
    case "list":
      return values.map((v) => coerceElement(field, v, label));
    case "map":
      throw invalid(`${label} cannot be set from the URL (map field)`);
    default:
      if (values.length !== 1) throw invalid(`${label} is given ${values.length} times; it takes one value`);
      return coerceElement(field, values[0] as string, label);
  }
}

function coerceElement(field: DescField, value: string, label: string): JsonValue {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "scalar" && field.scalar !== undefined) return coerceScalar(field.scalar, value, label);
  if (kind === "enum" && field.enum !== undefined) return coerceEnum(field.enum, value, label);
  if (kind === "message" && field.message !== undefined) {
    const form = stringFormOf(field.message);
    if (form === "scalar_wrapper") {
      const inner = field.message.fields[0];
      if (inner?.scalar !== undefined) return coerceScalar(inner.scalar, value, label);
    }
    if (form === "string") {
      try {
        fromJson(field.message, value);
      } catch {
        throw invalid(`${label}: "${value}" is not a valid ${describeStringForm(field.message)}`);
      }
      return value;
    }
  }
  throw invalid(`${label} cannot be set from the URL (message field)`);
}

const stringWellKnownTypes = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.FieldMask",
]);

/** How a message type can be written as a URL string, if at all. */
function stringFormOf(message: DescMessage): "string" | "scalar_wrapper" | undefined {
  if (stringWellKnownTypes.has(message.typeName)) return "string";
  if (message.typeName.startsWith("google.protobuf.") && message.typeName.endsWith("Value")) {
    const only = message.fields.length === 1 ? message.fields[0] : undefined;
    if (only?.fieldKind === "scalar") return "scalar_wrapper";
  }
  return undefined;
}

function describeStringForm(message: DescMessage): string {
  switch (message.typeName) {
    case "google.protobuf.Timestamp":
      return "RFC 3339 timestamp (e.g. 2026-01-01T00:00:00Z)";
    case "google.protobuf.Duration":
      return "duration (e.g. 1.5s)";
    default:
      return "field mask";
  }
}

const int32Range = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const uint32Range = [0n, 2n ** 32n - 1n] as const;
const int64Range = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const uint64Range = [0n, 2n ** 64n - 1n] as const;

function coerceScalar(type: ScalarType, value: string, label: string): JsonValue {
  switch (type) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return value;
    case ScalarType.BOOL:
      if (value === "true") return true;
      if (value === "false") return false;
      throw invalid(`${label}: expected true or false, got "${value}"`);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return Number(parseInteger(value, int32Range, label));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return Number(parseInteger(value, uint32Range, label));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      // proto3 JSON writes 64-bit integers as strings, which keeps precision.
      return parseInteger(value, int64Range, label).toString();
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return parseInteger(value, uint64Range, label).toString();
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE: {
      if (value === "NaN" || value === "Infinity" || value === "-Infinity") return value;
      const number = Number(value);
      if (value.trim() === "" || !Number.isFinite(number)) {
        throw invalid(`${label}: expected a number, got "${value}"`);
      }
      return number;
    }
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

function parseInteger(value: string, [min, max]: readonly [bigint, bigint], label: string): bigint {
  if (!/^-?\d+$/.test(value)) throw invalid(`${label}: expected an integer, got "${value}"`);
  const integer = BigInt(value);
  if (integer < min || integer > max) throw invalid(`${label}: ${value} is out of range ${min} to ${max}`);
  return integer;
}

function coerceEnum(desc: DescEnum, value: string, label: string): JsonValue {
  const byName = desc.values.find((v) => v.name === value);
  if (byName !== undefined) return byName.name;
  if (/^-?\d+$/.test(value)) {
    const byNumber = desc.values.find((v) => v.number === Number(value));
    if (byNumber !== undefined) return byNumber.name;
  }
  throw invalid(`${label}: expected one of ${desc.values.map((v) => v.name).join(", ")}, got "${value}"`);
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
