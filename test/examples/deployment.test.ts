import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { repositoryRoot } from "./receiver-example.js";

// No Docker engine or Kubernetes cluster runs here, so these tests read the
// deployment files the way compose and kubectl would and check what they
// promise: start order, health checks, the entry points the build produces,
// and that every name a manifest refers to exists.

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field
type Doc = Record<string, any>;

const read = (path: string) => readFileSync(join(repositoryRoot, path), "utf8");
const yamlFile = (path: string): Doc => parse(read(path), { merge: true });

/** Files `npm run build` writes (scripts/build.mjs entries), e.g. `services/ingest/dist/main.mjs`. */
const builtFiles = new Set(
  [...read("scripts/build.mjs").matchAll(/out: "([^"]+)"/g)].map((m) => `${m[1]}.mjs`),
);

/** The script files a `node [--import X] Y` command line runs. */
function scriptsOf(command: string[]): string[] {
  expect(command[0]).toBe("node");
  return command.slice(1).flatMap((arg, i, args) => {
    if (arg === "--import") return [];
    return args[i - 1] === "--import" || !arg.startsWith("-") ? [arg.replace(/^\.\//, "")] : [];
  });
}

describe("docker-compose.yml", () => {
  const compose = yamlFile("docker-compose.yml");
  const services: Doc = compose.services;
  const app = ["ingest", "dispatcher", "admin"];

  it("has the dependencies, a migration job and the three services", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["admin", "dispatcher", "ingest", "jaeger", "migrate", "nats", "postgres"].sort(),
    );
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      }
    }
  });

  it("runs NATS with JetStream on a durable volume with fsync on every write", () => {
    const nats: Doc = services.nats;
    const mounts = nats.volumes as string[];
    const config = mounts.find((m) => m.startsWith("./infra/nats/nats.conf:"));
    expect(config).toBeDefined();
    const text = read("infra/nats/nats.conf");
    expect(text).toMatch(/^\s*store_dir: \/data$/m);
    expect(text).toMatch(/^\s*sync_interval: always$/m);
    expect(mounts).toContain("nats-data:/data");
    expect(compose.volumes).toHaveProperty("nats-data");
    expect(nats.healthcheck.test.join(" ")).toContain("http://127.0.0.1:8222/healthz");
  });

  it("checks PostgreSQL with pg_isready and runs Jaeger with OTLP and its UI", () => {
    expect(services.postgres.healthcheck.test.join(" ")).toContain("pg_isready");
    const ports = (services.jaeger.ports as string[]).map((p) => p.split(":").at(-1));
    expect(ports).toEqual(expect.arrayContaining(["4317", "4318", "16686"]));
  });

  it("migrates once PostgreSQL is healthy, and starts the services after the migration", () => {
    expect(services.migrate).toMatchObject({
      command: ["migrate", "up"],
      depends_on: { postgres: { condition: "service_healthy" } },
    });
    for (const name of app) {
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: "service_completed_successfully" },
        nats: { condition: "service_healthy" },
      });
    }
  });

  it("runs each service's own bundled entry point from one image", () => {
    const images = new Set(["migrate", ...app].map((name) => services[name].image));
    expect(images.size).toBe(1);
    for (const name of app) {
      const scripts = scriptsOf(services[name].entrypoint as string[]);
      expect(scripts).toEqual([
        `services/${name}/dist/instrumentation.mjs`,
        `services/${name}/dist/main.mjs`,
      ]);
      for (const script of scripts) expect(builtFiles).toContain(script);
      // Ingest's young generation, as docs/self-hosting.md describes.
      expect((services[name].entrypoint as string[]).includes("--max-semi-space-size=64")).toBe(
        name === "ingest",
      );
    }
  });

  it("configures every service for the containers, with a required admin token and master key and traces to Jaeger", () => {
    for (const name of app) {
      const env = services[name].environment as Record<string, string>;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\/piperelay$/);
      expect(env.NATS_URL).toBe("nats://nats:4222");
      expect(env.PIPERELAY_HOST).toBe("0.0.0.0");
      expect(env.PIPERELAY_ADMIN_TOKEN).toMatch(/^\$\{PIPERELAY_ADMIN_TOKEN:\?.+\}$/);
      expect(env.PIPERELAY_MASTER_KEY).toMatch(/^\$\{PIPERELAY_MASTER_KEY:\?.+\}$/);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://jaeger:4318");
      expect(env.OTEL_SERVICE_NAME).toBe(`piperelay-${name}`);
    }
  });

  it("publishes ingest and admin on different host ports, with readiness health checks, and runs two dispatchers", () => {
    const hostPort = (name: string) => (services[name].ports as string[])[0]?.split(":")[0];
    expect(hostPort("admin")).toBe("8080");
    expect(hostPort("ingest")).toBe("8081");
    for (const name of ["ingest", "admin", "dispatcher"]) {
      expect(services[name].healthcheck.test.join(" ")).toContain("/api/v1/health/ready");
    }
    expect(services.dispatcher).toMatchObject({ deploy: { replicas: 2 } });
    expect(services.dispatcher.ports).toBeUndefined();
  });

  it("has a health check command that passes on 200 and fails on 503 or no answer", async () => {
    const script = (services.ingest.healthcheck.test as string[]).at(-1) ?? "";
    let status = 200;
    const server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const run = (target: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [
          "-e",
          script.replace("127.0.0.1:8080", `127.0.0.1:${target}`),
        ]);
        child.once("exit", resolve);
      });
    try {
      expect(await run(port)).toBe(0);
      status = 503;
      expect(await run(port)).toBe(1);
    } finally {
      server.close();
    }
    expect(await run(port)).toBe(1);
  });
});

describe("infra/nats", () => {
  it("gives three clustered servers JetStream, routes to each other and fsync on every write", () => {
    const text = read("infra/nats/cluster.conf");
    expect(text).toMatch(/^server_name: \$SERVER_NAME$/m);
    expect(text).toMatch(/^\s*sync_interval: always$/m);
    for (const node of ["nats-1", "nats-2", "nats-3"]) expect(text).toContain(`nats-route://${node}:6222`);
  });

  it("has a compose override that turns the one server into three", () => {
    const override = yamlFile("infra/nats/docker-compose.cluster.yml");
    const services: Doc = override.services;
    expect(Object.keys(services)).toEqual(expect.arrayContaining(["nats", "nats-2", "nats-3"]));
    for (const node of ["nats", "nats-2", "nats-3"]) {
      expect((services[node].volumes as string[])[0]).toBe(
        "./infra/nats/cluster.conf:/etc/nats/nats-server.conf:ro",
      );
    }
    for (const name of ["ingest", "dispatcher", "admin"]) {
      expect(services[name].environment.NATS_URL.split(",")).toHaveLength(3);
    }
  });

  const natsServer = ["/usr/sbin/nats-server", "nats-server"].find(
    (bin) => spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0,
  );
  it.skipIf(natsServer === undefined)("has configurations nats-server accepts", () => {
    const version = execFileSync(natsServer ?? "", ["--version"], { encoding: "utf8" });
    const [major = 0, minor = 0] = (/v(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
    const dir = mkdtempSync(join(tmpdir(), "piperelay-nats-conf-"));
    for (const file of ["nats.conf", "cluster.conf"]) {
      let text = read(`infra/nats/${file}`);
      // sync_interval arrived in nats-server 2.10; older servers here check the rest.
      if (major === 2 && minor < 10) text = text.replace(/^\s*sync_interval: .*$/m, "");
      writeFileSync(join(dir, file), text);
      const result = spawnSync(natsServer ?? "", ["-t", "-c", join(dir, file)], {
        env: { ...process.env, SERVER_NAME: "nats-1" },
        encoding: "utf8",
      });
      expect(result.status, `${file}: ${result.stderr}${result.stdout}`).toBe(0);
    }
  });
});

describe("infra/kubernetes", () => {
  const dir = "infra/kubernetes";
  const kustomization = yamlFile(`${dir}/kustomization.yaml`);
  const docsOf = (file: string): Doc[] =>
    parseAllDocuments(read(`${dir}/${file}`)).map((d) => d.toJS() as Doc);
  const all = readdirSync(join(repositoryRoot, dir))
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((file) => docsOf(file).map((doc) => ({ file, doc })));
  const find = (kind: string, name: string): Doc => {
    const found = all.find(({ doc }) => doc.kind === kind && doc.metadata?.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in ${dir}`);
    return found.doc;
  };
  const deployments = all.filter(({ doc }) => doc.kind === "Deployment").map(({ doc }) => doc);

  it("lists only files that exist, and keeps the secret example out", () => {
    for (const resource of kustomization.resources as string[]) {
      expect(existsSync(join(repositoryRoot, dir, resource)), resource).toBe(true);
    }
    expect(kustomization.resources).not.toContain("secret.example.yaml");
    expect(kustomization.namespace).toBe("piperelay");
    expect(find("Namespace", "piperelay")).toBeDefined();
  });

  it("runs each service's bundled entry point, configured from the ConfigMap and the Secret", () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ["piperelay-admin", "piperelay-dispatcher", "piperelay-ingest"].sort(),
    );
    for (const deployment of deployments) {
      const name = deployment.metadata.name.replace("piperelay-", "");
      expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
      const container: Doc = deployment.spec.template.spec.containers[0];
      expect(container.image).toBe("piperelay");
      const scripts = scriptsOf(container.command as string[]);
      expect(scripts).toEqual([
        `services/${name}/dist/instrumentation.mjs`,
        `services/${name}/dist/main.mjs`,
      ]);
      for (const script of scripts) expect(builtFiles).toContain(script);
      expect((container.command as string[]).includes("--max-semi-space-size=64")).toBe(name === "ingest");
      const sources = (container.envFrom as Doc[]).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
      expect(sources).toEqual(["piperelay-config", "piperelay-secrets"]);
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    }
    expect(find("ConfigMap", "piperelay-config").data.PIPERELAY_HOST).toBe("0.0.0.0");
    const secret = docsOf("secret.example.yaml")[0];
    expect(secret?.metadata.name).toBe("piperelay-secrets");
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual([
      "DATABASE_URL",
      "PIPERELAY_ADMIN_TOKEN",
      "PIPERELAY_MASTER_KEY",
    ]);
  });

  it("probes readiness on /api/v1/health/ready and liveness on /api/v1/health/live, and serves ingest and admin through Services", () => {
    for (const name of ["piperelay-ingest", "piperelay-admin", "piperelay-dispatcher"]) {
      const deployment = find("Deployment", name);
      const container: Doc = deployment.spec.template.spec.containers[0];
      const port = (container.ports as Doc[]).find((p) => p.name === "http");
      expect(port?.containerPort).toBe(8080);
      expect(container.readinessProbe.httpGet).toEqual({ path: "/api/v1/health/ready", port: "http" });
      expect(container.livenessProbe.httpGet).toEqual({ path: "/api/v1/health/live", port: "http" });
      if (name === "piperelay-dispatcher") continue;
      expect(container.startupProbe.httpGet).toEqual({ path: "/api/v1/health/ready", port: "http" });
      const service = find("Service", name);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(service.spec.ports[0].targetPort).toBe("http");
    }
  });

  it("migrates with a Job and scales dispatchers with an optional autoscaler", () => {
    const job = find("Job", "piperelay-migrate");
    expect(job.spec.template.spec.containers[0].args).toEqual(["migrate", "up"]);
    const hpa = find("HorizontalPodAutoscaler", "piperelay-dispatcher");
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "piperelay-dispatcher" });
    expect(find("Deployment", "piperelay-dispatcher").spec.template.spec.terminationGracePeriodSeconds).toBe(
      60,
    );
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("builds on node:20-bookworm-slim and runs the CLI as the node user", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci .*\n.*\n.*\nRUN npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
    for (const script of scriptsOf(entrypoint)) expect(builtFiles).toContain(script);
    // `serve` runs ingest too: its young generation (docs/self-hosting.md).
    expect(entrypoint).toContain("--max-semi-space-size=64");
  });

  it("keeps dependencies, build output and secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    expect(ignored).toEqual(expect.arrayContaining([".git", "**/node_modules", "**/dist", ".env"]));
  });
});
