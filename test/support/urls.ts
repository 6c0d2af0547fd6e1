/** The PostgreSQL server tests use: TEST_DATABASE_URL, else the local trust-auth server. */
export function adminDatabaseUrl(): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  base.pathname = "/postgres";
  return base.toString();
}

export function testDatabaseUrl(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The migrated template this test run clones databases from. Each run (the
 * global setup's process and the workers it starts) has its own, so concurrent
 * runs on one PostgreSQL do not drop each other's template.
 */
export function templateDatabaseName(): string {
  process.env.PIPERELAY_TEST_TEMPLATE ??= `piperelay_test_template_${process.pid}`;
  return process.env.PIPERELAY_TEST_TEMPLATE;
}

export function natsUrl(): string {
  return process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
}
