import "@fontsource-variable/inter/index.css";
import "./styles.css";
import { Code, ConnectError } from "@connectrpc/connect";
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { dashboardBasePath } from "./api/base-path.js";
import { createSessionApi } from "./api/session.js";
import { App, sessionQueryKey } from "./app.js";
import { ToastProvider } from "./components/toast.js";
import { RouterProvider } from "./lib/router.js";

/** Errors that another try will not fix. */
const permanent = new Set([Code.Unauthenticated, Code.PermissionDenied, Code.NotFound, Code.InvalidArgument]);

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error) => {
      // A call refused for credentials means the session ended (expired, logged out elsewhere): ask again.
      if (error instanceof ConnectError && error.code === Code.Unauthenticated) {
        void queryClient.invalidateQueries({ queryKey: sessionQueryKey });
      }
    },
  }),
  defaultOptions: {
    queries: {
      retry: (count, error) => count < 2 && !(error instanceof ConnectError && permanent.has(error.code)),
      refetchOnWindowFocus: true,
    },
  },
});

const basePath = dashboardBasePath();
const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider basePath={basePath}>
        <ToastProvider>
          <App sessionApi={createSessionApi(basePath)} />
        </ToastProvider>
      </RouterProvider>
    </QueryClientProvider>
  </StrictMode>,
);
