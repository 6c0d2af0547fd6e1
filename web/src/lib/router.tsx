import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from "react";

/** The current location inside the dashboard, without its base path. */
export interface Location {
  /** e.g. `/endpoints/ep_123`; `/` for the overview. */
  path: string;
  search: URLSearchParams;
}

interface Router {
  location: Location;
  /** Goes to a dashboard path (with an optional `?query`), adding a history entry. */
  navigate(to: string, options?: { replace?: boolean }): void;
  /** The real URL of a dashboard path, for links. */
  href(to: string): string;
}

const RouterContext = createContext<Router | undefined>(undefined);

function readLocation(basePath: string): Location {
  const { pathname, search } = window.location;
  const inside = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  return { path: inside === "" ? "/" : inside, search: new URLSearchParams(search) };
}

/** A small history-API router: the dashboard has a handful of pages, no nesting. */
export function RouterProvider({ basePath, children }: { basePath: string; children: ReactNode }) {
  const [location, setLocation] = useState(() => readLocation(basePath));
  useEffect(() => {
    const onPop = () => setLocation(readLocation(basePath));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [basePath]);
  const href = useCallback((to: string) => `${basePath}${to}`, [basePath]);
  const navigate = useCallback(
    (to: string, options?: { replace?: boolean }) => {
      const url = `${basePath}${to}`;
      if (options?.replace) window.history.replaceState(null, "", url);
      else window.history.pushState(null, "", url);
      setLocation(readLocation(basePath));
      if (!options?.replace) window.scrollTo?.(0, 0);
    },
    [basePath],
  );
  const router = useMemo(() => ({ location, navigate, href }), [location, navigate, href]);
  return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}

export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (router === undefined) throw new Error("useRouter needs a RouterProvider");
  return router;
}

/** Matches `/endpoints/:id` style patterns; returns the parameters or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of want.entries()) {
    const actual = have[index] ?? "";
    if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(actual);
    else if (segment !== actual) return undefined;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An anchor that navigates inside the dashboard without a reload (modified clicks open new tabs as usual). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const router = useRouter();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    router.navigate(to);
  };
  return (
    <a href={router.href(to)} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
