// `npm run build -w web` writes the dashboard to web/dist, which the admin
// service serves at `dashboard.path`. `npm run dev -w web` serves it with hot
// reload at http://localhost:5173/dashboard/ and forwards the API and the
// login endpoints to a running PipeRelay (PIPERELAY_URL, default :8080).
import { defineConfig } from "vite";

const target = process.env.PIPERELAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig(({ command }) => ({
  // Built with relative URLs: the server adds a <base> for wherever `dashboard.path` puts it.
  base: command === "build" ? "./" : "/dashboard/",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // React Query marks its hooks "use client" for server-component bundlers; meaningless in a plain SPA.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: {
    proxy: {
      "/piperelay.v1.": { target },
      "/dashboard/auth/": { target },
    },
  },
}));
