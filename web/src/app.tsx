import { TransportProvider, useQuery as useConnectQuery } from "@connectrpc/connect-query";
import { ApplicationService } from "@piperelay/proto";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { SessionApi } from "./api/session.js";
import { createDashboardTransport } from "./api/transport.js";
import { AppShell } from "./components/app-shell.js";
import { Logo } from "./components/logo.js";
import { NewApplicationDialog, NewApplicationForm } from "./components/new-application-dialog.js";
import { ErrorState, LoadingState } from "./components/states.js";
import { ApplicationContext, rememberApplication, rememberedApplication } from "./lib/application-context.js";
import { Link, matchPath, useRouter } from "./lib/router.js";
import { DeadLetterPage } from "./pages/dead-letter-page.js";
import { EndpointPage } from "./pages/endpoint-page.js";
import { EndpointsPage } from "./pages/endpoints-page.js";
import { LoginPage } from "./pages/login-page.js";
import { MessagesPage } from "./pages/messages-page.js";
import { OverviewPage } from "./pages/overview-page.js";

/** Query key of the session state, invalidated when a call says the session ended. */
export const sessionQueryKey = ["dashboard-session"] as const;

/** The dashboard: asks who is signed in, then shows the login page or the pages. */
export function App({ sessionApi }: { sessionApi: SessionApi }) {
  const queryClient = useQueryClient();
  const session = useQuery({
    queryKey: sessionQueryKey,
    queryFn: () => sessionApi.fetchSession(),
    refetchInterval: 60_000,
  });
  if (session.isPending)
    return (
      <FullPage>
        <LoadingState label="Connecting to PipeRelay…" />
      </FullPage>
    );
  if (session.isError) {
    return (
      <FullPage>
        <ErrorState
          error={
            new Error(
              "The dashboard cannot reach the server. Check that PipeRelay is running, then try again.",
            )
          }
          onRetry={() => session.refetch()}
        />
      </FullPage>
    );
  }
  const { mode, authenticated } = session.data;
  if (mode === "disabled") {
    return (
      <FullPage>
        <h1>The dashboard is not available</h1>
        <p>
          This server has no admin token configured. Set PIPERELAY_ADMIN_TOKEN and restart it to sign in here.
        </p>
      </FullPage>
    );
  }
  const restart = () => {
    queryClient.clear();
    void session.refetch();
  };
  if (mode === "token" && !authenticated) return <LoginPage sessionApi={sessionApi} onLoggedIn={restart} />;
  const logout =
    mode === "token"
      ? async () => {
          await sessionApi.logout();
          restart();
        }
      : undefined;
  return <Dashboard onLogout={logout} banner={mode === "open" ? <LocalModeBanner /> : undefined} />;
}

function FullPage({ children }: { children: ReactNode }) {
  return (
    <main className="login">
      <div className="login-card">
        <Logo />
        {children}
      </div>
    </main>
  );
}

function LocalModeBanner() {
  return (
    <div className="banner" role="note">
      <strong>Local mode, no admin token.</strong> Anyone who can reach this loopback address can use this
      dashboard and manage applications. Set <code>PIPERELAY_ADMIN_TOKEN</code> to require a login.
    </div>
  );
}

/** Signed in: picks the application to act as, then routes to the pages. */
function Dashboard({ onLogout, banner }: { onLogout?: () => void; banner?: ReactNode }) {
  const adminTransport = useMemo(() => createDashboardTransport(undefined), []);
  const apps = useConnectQuery(
    ApplicationService.method.listApplications,
    { limit: 200 },
    { transport: adminTransport, refetchInterval: 30_000 },
  );
  const [selectedId, setSelectedId] = useState(rememberedApplication);
  const [creating, setCreating] = useState(false);
  const applications = apps.data?.applications ?? [];
  const current = applications.find((application) => application.id === selectedId) ?? applications[0];
  const currentId = current?.id;
  const transport = useMemo(() => createDashboardTransport(currentId), [currentId]);
  const select = useCallback((id: string) => {
    rememberApplication(id);
    setSelectedId(id);
  }, []);

  if (apps.isPending)
    return (
      <FullPage>
        <LoadingState label="Loading applications…" />
      </FullPage>
    );
  if (apps.isError) {
    return (
      <FullPage>
        <ErrorState error={apps.error} onRetry={() => apps.refetch()} />
      </FullPage>
    );
  }
  if (current === undefined) {
    return (
      <FullPage>
        <h1>Create your first application</h1>
        <p className="muted">
          Applications own endpoints and messages. Create one to start sending webhooks.
        </p>
        <NewApplicationForm
          transport={adminTransport}
          onDone={(application) => {
            select(application.id);
            void apps.refetch();
          }}
        />
      </FullPage>
    );
  }
  return (
    <ApplicationContext.Provider value={{ applications, current, select }}>
      <TransportProvider transport={transport}>
        <AppShell banner={banner} onLogout={onLogout} onNewApplication={() => setCreating(true)}>
          <Routes key={current.id} />
        </AppShell>
        <NewApplicationDialog
          open={creating}
          transport={adminTransport}
          onClose={() => setCreating(false)}
          onCreated={(application) => {
            setCreating(false);
            select(application.id);
            void apps.refetch();
          }}
        />
      </TransportProvider>
    </ApplicationContext.Provider>
  );
}

const titles: Record<string, string> = {
  "/": "Overview",
  "/messages": "Messages",
  "/endpoints": "Endpoints",
  "/dead-letter": "Dead letter queue",
};

function Routes() {
  const { location } = useRouter();
  const { path } = location;
  const first = useRef(true);
  useEffect(() => {
    document.title = `${titles[path] ?? (path.startsWith("/endpoints/") ? "Endpoint" : "Not found")} · PipeRelay`;
    // After a navigation, start screen readers and keyboard focus at the new page's content.
    if (!first.current) document.getElementById("main")?.focus({ preventScroll: true });
    first.current = false;
  }, [path]);
  if (path === "/") return <OverviewPage />;
  if (path === "/messages") return <MessagesPage />;
  if (path === "/endpoints") return <EndpointsPage />;
  if (path === "/dead-letter") return <DeadLetterPage />;
  const endpoint = matchPath("/endpoints/:id", path);
  if (endpoint?.id !== undefined) return <EndpointPage key={endpoint.id} id={endpoint.id} />;
  return (
    <div className="empty">
      <h1>Page not found</h1>
      <p>
        There is no dashboard page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </div>
  );
}
