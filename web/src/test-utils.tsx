// Rendering pages in tests: the providers of main.tsx, with the API served in
// memory by createRouterTransport from stub implementations.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { createRouterTransport } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { ApplicationSchema } from "@piperelay/proto";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { ToastProvider } from "./components/toast.js";
import { ApplicationContext } from "./lib/application-context.js";
import { RouterProvider } from "./lib/router.js";

export const testApplication = create(ApplicationSchema, {
  id: "app_test",
  name: "Seentics",
  createdAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
});

/** Renders `ui` at dashboard path `path` with the API answered by `routes`. */
export function renderPage(ui: ReactElement, routes: (router: ConnectRouter) => void, path = "/") {
  window.history.replaceState(null, "", `/dashboard${path}`);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const transport = createRouterTransport(routes);
  return render(
    <QueryClientProvider client={queryClient}>
      <TransportProvider transport={transport}>
        <RouterProvider basePath="/dashboard">
          <ApplicationContext.Provider
            value={{ applications: [testApplication], current: testApplication, select: () => {} }}
          >
            <ToastProvider>{ui}</ToastProvider>
          </ApplicationContext.Provider>
        </RouterProvider>
      </TransportProvider>
    </QueryClientProvider>,
  );
}
