import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";
import { deriveKeys, insecureDevelopmentMasterKey } from "./master-key.js";

const masterKeyHex = "7f".repeat(32);

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "piperelay-config-"));
  const file = join(dir, "piperelay.yaml");
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("has the design's defaults", () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(8080);
    expect(config.delivery.workers).toBe(200);
    expect(config.delivery.timeout).toBe(30_000);
    expect(config.delivery.retry_schedule).toEqual([
      30_000, 120_000, 600_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000,
    ]);
    expect(config.delivery.max_attempts).toBe(8);
    expect(config.server.max_payload_size).toBe(256 * 1024);
    expect(config.localMode).toBe(true);
  });

  it("derives max attempts from a retry schedule given in the environment", () => {
    const config = loadConfig({ env: { PIPERELAY_RETRY_SCHEDULE: "1s,2s" } });
    expect(config.delivery.retry_schedule).toEqual([1000, 2000]);
    expect(config.delivery.max_attempts).toBe(3);
  });

  it("lets the environment override the file, by alias and by section name", () => {
    const file = yamlFile("server:\n  port: 9000\ndelivery:\n  workers: 5\n");
    const config = loadConfig({ file, env: { PIPERELAY_PORT: "9100", PIPERELAY_DELIVERY_WORKERS: "7" } });
    expect(config.server.port).toBe(9100);
    expect(config.delivery.workers).toBe(7);
  });

  it("reads nested keys from PIPERELAY_<SECTION>_<KEY> variables", () => {
    const config = loadConfig({ env: { PIPERELAY_STORAGE_POSTGRES_MAX_CONNECTIONS: "7" } });
    expect(config.storage.postgres.max_connections).toBe(7);
  });

  it("names the bad key and the variable it came from", () => {
    expect(() => loadConfig({ env: { PIPERELAY_WORKERS: "many" } })).toThrow(
      /delivery\.workers.*PIPERELAY_WORKERS/,
    );
    expect(() => loadConfig({ env: { PIPERELAY_DELIVERY_TIMEOUT: "soon" } })).toThrow(/delivery\.timeout/);
  });

  it("takes server.processes as a count or auto, and names the key when it is neither", () => {
    expect(loadConfig({ env: {} }).server.processes).toBe(1);
    expect(loadConfig({ env: { PIPERELAY_PROCESSES: "4" } }).server.processes).toBe(4);
    expect(loadConfig({ env: { PIPERELAY_PROCESSES: "auto" } }).server.processes).toBe("auto");
    for (const bad of ["0", "many"]) {
      expect(() => loadConfig({ env: { PIPERELAY_PROCESSES: bad } })).toThrow(
        /server\.processes.*PIPERELAY_PROCESSES/,
      );
    }
  });

  it("rejects unknown keys in the file", () => {
    const file = yamlFile("server:\n  prot: 1\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(/server.*prot/);
  });

  it("refuses to listen beyond loopback without an admin token", () => {
    expect(() =>
      loadConfig({ env: { PIPERELAY_HOST: "0.0.0.0", PIPERELAY_MASTER_KEY: masterKeyHex } }),
    ).toThrow(ConfigError);
    expect(
      loadConfig({
        env: { PIPERELAY_HOST: "0.0.0.0", PIPERELAY_ADMIN_TOKEN: "t", PIPERELAY_MASTER_KEY: masterKeyHex },
      }).adminToken,
    ).toBe("t");
  });

  it("refuses to listen beyond loopback without a master key, naming PIPERELAY_MASTER_KEY", () => {
    expect(() => loadConfig({ env: { PIPERELAY_HOST: "0.0.0.0", PIPERELAY_ADMIN_TOKEN: "t" } })).toThrow(
      /security\.master_key: required .*PIPERELAY_MASTER_KEY/,
    );
  });

  it("uses the public development key on loopback without a master key, and says so", () => {
    const config = loadConfig({ env: {} });
    expect(config.insecureMasterKey).toBe(true);
    expect(config.keys).toEqual(deriveKeys(insecureDevelopmentMasterKey));
  });

  it("accepts a master key as hex or base64 (from the file or PIPERELAY_MASTER_KEY) and derives separate keys", () => {
    const bytes = Buffer.from(masterKeyHex, "hex");
    const fromHex = loadConfig({
      env: { PIPERELAY_HOST: "0.0.0.0", PIPERELAY_ADMIN_TOKEN: "t", PIPERELAY_MASTER_KEY: masterKeyHex },
    });
    const fromBase64 = loadConfig({ env: { PIPERELAY_MASTER_KEY: bytes.toString("base64") } });
    const fromFile = loadConfig({
      file: yamlFile(`security:\n  master_key: "${bytes.toString("base64url")}"\n`),
      env: {},
    });
    for (const config of [fromHex, fromBase64, fromFile]) {
      expect(config.insecureMasterKey).toBe(false);
      expect(config.keys).toEqual(deriveKeys(bytes));
    }
    expect(fromHex.keys.endpointSecrets).toHaveLength(32);
    expect(fromHex.keys.endpointSecrets.equals(fromHex.keys.apiKeyPepper)).toBe(false);
    expect(fromHex.keys.endpointSecrets.equals(bytes)).toBe(false);
  });

  it("rejects a master key that is not 32 bytes of base64 or hex, naming the key and its variable", () => {
    for (const bad of [
      "short",
      "a".repeat(63),
      Buffer.alloc(31).toString("base64"),
      Buffer.alloc(33).toString("hex"),
    ]) {
      expect(() => loadConfig({ env: { PIPERELAY_MASTER_KEY: bad } })).toThrow(
        /security\.master_key: must be 32 bytes.*\(from PIPERELAY_MASTER_KEY\)/,
      );
    }
  });

  it("rejects a storage driver other than postgres", () => {
    const file = yamlFile('storage:\n  driver: "sqlite"\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(/storage\.driver/);
  });
});
