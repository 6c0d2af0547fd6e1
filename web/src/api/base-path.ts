/**
 * Where the dashboard is served, without a trailing slash (e.g. `/dashboard`).
 * The server puts a `<base>` into index.html for its `dashboard.path`; the dev
 * server has none and serves at Vite's base.
 */
export function dashboardBasePath(): string {
  const href = document.querySelector("base")?.getAttribute("href");
  if (href) return new URL(href, window.location.href).pathname.replace(/\/+$/, "");
  const viteBase = import.meta.env.BASE_URL;
  return viteBase.startsWith("/") ? viteBase.replace(/\/+$/, "") : "/dashboard";
}
