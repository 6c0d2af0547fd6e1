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

export const templateDatabaseName = "piperelay_test_template";

export function natsUrl(): string {
  return process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
}
