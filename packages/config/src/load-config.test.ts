import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

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
    expect(config.delivery.workers).toBe(50);
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

  it("rejects unknown keys in the file", () => {
    const file = yamlFile("server:\n  prot: 1\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(/server.*prot/);
  });

  it("refuses to listen beyond loopback without an admin token", () => {
    expect(() => loadConfig({ env: { PIPERELAY_HOST: "0.0.0.0" } })).toThrow(ConfigError);
    expect(loadConfig({ env: { PIPERELAY_HOST: "0.0.0.0", PIPERELAY_ADMIN_TOKEN: "t" } }).adminToken).toBe(
      "t",
    );
  });

  it("rejects a storage driver other than postgres", () => {
    const file = yamlFile('storage:\n  driver: "sqlite"\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(/storage\.driver/);
  });
});
