import type { Application } from "@piperelay/proto";
import { createContext, useContext } from "react";

/** The application the dashboard acts as, and the others the admin can switch to. */
export interface ApplicationContextValue {
  applications: readonly Application[];
  current: Application;
  select(id: string): void;
}

export const ApplicationContext = createContext<ApplicationContextValue | undefined>(undefined);

/** The selected application; pages render only once there is one. */
export function useApplication(): ApplicationContextValue {
  const value = useContext(ApplicationContext);
  if (value === undefined) throw new Error("useApplication needs an ApplicationContext");
  return value;
}

const storageKey = "piperelay.application";

/** The application chosen last time in this browser, if any. */
export function rememberedApplication(): string | undefined {
  try {
    return window.localStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export function rememberApplication(id: string): void {
  try {
    window.localStorage.setItem(storageKey, id);
  } catch {
    // Private browsing: the choice lasts for this page only.
  }
}
