import { describe, expect, it } from "vitest";
import { blockedAddressReason, parseCidrs } from "./address-policy.js";
import { BlockedTargetError, guardedLookup } from "./guarded-lookup.js";
import { targetUrlProblem } from "./target-url.js";

const strict = { allowPrivate: false, allowedCidrs: [] };

describe("blockedAddressReason", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "224.0.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
  ])("blocks %s", (address) => {
    expect(blockedAddressReason(address, strict)).toBeDefined();
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111"])("allows the public address %s", (address) => {
    expect(blockedAddressReason(address, strict)).toBeUndefined();
  });

  it("allows an internal range on the allow-list and everything when private targets are allowed", () => {
    const policy = { allowPrivate: false, allowedCidrs: parseCidrs(["10.1.0.0/16"]) };
    expect(blockedAddressReason("10.1.2.3", policy)).toBeUndefined();
    expect(blockedAddressReason("10.2.0.1", policy)).toBeDefined();
    expect(blockedAddressReason("127.0.0.1", { allowPrivate: true, allowedCidrs: [] })).toBeUndefined();
  });

  it("rejects a malformed CIDR naming it", () => {
    expect(() => parseCidrs(["10.0.0.0/33"])).toThrow(/10\.0\.0\.0\/33/);
  });
});

describe("targetUrlProblem", () => {
  const options = { ...strict, httpsOnly: false };
  it.each([
    ["http://127.0.0.1/hook", "loopback"],
    ["http://2130706433/hook", "loopback"],
    ["http://0x7f000001/hook", "loopback"],
    ["http://[::ffff:169.254.169.254]/latest", "linkLocal"],
    ["http://localhost:8080/x", "localhost"],
    ["http://api.localhost/x", "localhost"],
    ["ftp://example.com/x", "http or https"],
    ["https://user:pw@example.com/x", "credentials"],
    ["/relative", "absolute"],
  ])("refuses %s", (url, reason) => {
    expect(targetUrlProblem(url, options)).toContain(reason);
  });

  it("accepts public URLs and enforces https-only when asked", () => {
    expect(targetUrlProblem("https://example.com/hook", options)).toBeUndefined();
    expect(targetUrlProblem("http://example.com/hook", { ...options, httpsOnly: true })).toContain("https");
  });
});

describe("guardedLookup", () => {
  // A resolver standing in for DNS, so the test can make a name resolve anywhere.
  const resolver =
    (addresses: string[]) =>
    (_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );

  it("refuses a name that resolves to an internal address (DNS rebinding)", async () => {
    const lookup = guardedLookup(strict, resolver(["127.0.0.1"]));
    const error = await new Promise((done) => lookup("evil.example", {}, (err) => done(err)));
    expect(error).toBeInstanceOf(BlockedTargetError);
    expect(String(error)).toMatch(/evil\.example resolves to 127\.0\.0\.1/);
  });

  it("connects to an allowed address when a name resolves to several", async () => {
    const lookup = guardedLookup(strict, resolver(["10.0.0.1", "93.184.216.34"]));
    const address = await new Promise((done) => lookup("mixed.example", {}, (_err, addr) => done(addr)));
    expect(address).toBe("93.184.216.34");
  });
});
