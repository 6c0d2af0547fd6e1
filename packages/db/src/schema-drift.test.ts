import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";

// The SQL migrations are the source of truth; schema.prisma only describes them for the client.
// Prisma's schema engine (its Wasm build, since the native binary is unavailable here) computes
// the migration that would take the migrated database to schema.prisma: it must be empty.

const schemaPath = fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url));

// Bookkeeping of our own migrator, which schema.prisma rightly does not model.
const filters = { externalTables: ["public.piperelay_migrations"], externalEnums: [] };

// The engine reports Rust panics through this global; keep the message for the error.
let panicMessage: string | undefined;
Object.assign(globalThis, {
  PRISMA_WASM_PANIC_REGISTRY: {
    set_message(message: string) {
      panicMessage = message;
    },
  },
});

// Node's WebAssembly global: with lib ES2023 and no DOM types, TypeScript only knows its type namespace.
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  };
};

/** Instantiates the engine's Wasm module (Node 20 cannot import .wasm files as ES modules). */
function loadSchemaEngine(): typeof engineBindings.SchemaEngine {
  const bindingsPath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const module = new wasm.Module(readFileSync(join(dirname(bindingsPath), "schema_engine_bg.wasm")));
  const instance = new wasm.Instance(module, { "./schema_engine_bg.js": engineBindings });
  engineBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return engineBindings.SchemaEngine;
}

const charOid = 18;
const textOid = 25;

/**
 * A pool whose results report PostgreSQL's internal single-byte "char" type as text.
 * The engine's catalog queries return such columns (pg_constraint.contype, confdeltype,
 * confupdtype), and @prisma/adapter-pg has no column type for them: it fails with
 * "Column type 'char' could not be deserialized from the database".
 */
function charAsTextPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 2 });
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const patched = (...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((value: pg.QueryResult) => {
      for (const field of value.fields ?? []) {
        if (field.dataTypeID === charOid) field.dataTypeID = textOid;
      }
      return value;
    });
  };
  pool.query = patched as typeof pool.query;
  return pool;
}

describe("schema.prisma", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let engine: engineBindings.SchemaEngine;
  let tempDir: string | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = charAsTextPool(database.url);
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
    engine = await loadSchemaEngine().new({ datamodels: undefined }, () => {}, adapter);
  });

  afterAll(async () => {
    engine?.free();
    await pool?.end();
    await database?.drop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  /** The SQL script that would take the migrated database to the schema at `path`; exitCode 2 when non-empty. */
  async function migrationTo(path: string): Promise<engineBindings.DiffResult> {
    const files = [{ path, content: readFileSync(path, "utf8") }];
    try {
      return await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: dirname(path) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: true,
        filters,
      });
    } catch (error) {
      if (panicMessage) throw new Error(`schema engine panicked: ${panicMessage}`, { cause: error });
      throw error;
    }
  }

  it("matches the database the migrations build", async () => {
    const { exitCode, stdout } = await migrationTo(schemaPath);
    expect(
      exitCode,
      `schema.prisma disagrees with migrations/*.up.sql; the migrated database would need:\n${stdout}`,
    ).toBe(0);
  });

  it("detects a column the migrations lack", async () => {
    tempDir = mkdtempSync(join(tmpdir(), "piperelay-schema-drift-"));
    const modifiedPath = join(tempDir, "schema.prisma");
    const schema = readFileSync(schemaPath, "utf8");
    const modified = schema.replace(
      "model Application {\n",
      'model Application {\n  driftProbe String? @map("drift_probe")\n',
    );
    expect(modified).not.toBe(schema);
    writeFileSync(modifiedPath, modified);

    const { exitCode, stdout } = await migrationTo(modifiedPath);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(/ALTER TABLE "applications" ADD COLUMN\s+"drift_probe" TEXT/);
  });
});
