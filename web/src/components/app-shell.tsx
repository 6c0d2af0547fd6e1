import { useQuery } from "@connectrpc/connect-query";
import { HealthService } from "@piperelay/proto";
import type { ReactNode } from "react";
import { useApplication } from "../lib/application-context.js";
import { formatCount } from "../lib/format.js";
import { Link, useRouter } from "../lib/router.js";
import { Logo } from "./logo.js";

const nav = [
  { to: "/", label: "Overview" },
  { to: "/messages", label: "Messages" },
  { to: "/endpoints", label: "Endpoints" },
  { to: "/dead-letter", label: "Dead letter queue" },
] as const;

function isCurrent(to: string, path: string): boolean {
  return to === "/" ? path === "/" : path === to || path.startsWith(`${to}/`);
}

/** The frame around every page: navigation, application switcher, session controls. */
export function AppShell({
  children,
  banner,
  onLogout,
  onNewApplication,
}: {
  children: ReactNode;
  banner?: ReactNode;
  onLogout?: () => void;
  onNewApplication: () => void;
}) {
  const { location } = useRouter();
  const { applications, current, select } = useApplication();
  const stats = useQuery(HealthService.method.getStats, {}, { refetchInterval: 10_000 });
  const failed = stats.data?.deliveriesFailed ?? 0;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-top">
          <Logo />
          {onLogout !== undefined && (
            <button
              type="button"
              className="button button-ghost button-small sidebar-logout-mobile"
              onClick={onLogout}
            >
              Log out
            </button>
          )}
        </div>
        <div className="app-switcher">
          <label htmlFor="application-select" className="app-switcher-label">
            Application
          </label>
          <div className="app-switcher-row">
            <select
              id="application-select"
              className="select app-switcher-select"
              value={current.id}
              onChange={(event) => select(event.target.value)}
            >
              {applications.map((application) => (
                <option key={application.id} value={application.id}>
                  {application.name}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-icon"
              onClick={onNewApplication}
              aria-label="New application"
              title="New application"
            >
              +
            </button>
          </div>
        </div>
        <nav aria-label="Dashboard">
          <ul className="nav">
            {nav.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  className={isCurrent(item.to, location.path) ? "nav-link active" : "nav-link"}
                  aria-current={isCurrent(item.to, location.path) ? "page" : undefined}
                >
                  {item.label}
                  {item.to === "/dead-letter" && failed > 0 && (
                    <span className="nav-count" title={`${formatCount(failed)} failed deliveries`}>
                      {formatCount(failed)}
                    </span>
                  )}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <span className="mono muted small">{current.id}</span>
          {onLogout !== undefined && (
            <button
              type="button"
              className="button button-ghost button-small sidebar-logout"
              onClick={onLogout}
            >
              Log out
            </button>
          )}
        </div>
      </aside>
      <div className="content">
        {banner}
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

/** A page's heading row: title, a line of context, and actions on the right. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description !== undefined && <p className="page-description">{description}</p>}
      </div>
      {actions !== undefined && <div className="page-actions">{actions}</div>}
    </header>
  );
}
