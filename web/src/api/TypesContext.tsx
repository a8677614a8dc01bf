// The integration types this deployment offers (GET /integration-types), read once per sign-in: every screen that
// lists or configures integrations renders from them, with no per-platform page code.

import { createContext, useContext, type ReactNode } from "react";
import { useAuth } from "../auth/AuthContext";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";
import type { IntegrationType } from "./types";

const TypesContext = createContext<IntegrationType[] | null>(null);

/** `types` given (tests): those, as they are. */
export function TypesProvider({ children, types }: { children: ReactNode; types?: IntegrationType[] }) {
  if (types) return <TypesContext.Provider value={types}>{children}</TypesContext.Provider>;
  return <LoadedTypes>{children}</LoadedTypes>;
}

function LoadedTypes({ children }: { children: ReactNode }) {
  const { api } = useAuth();
  const loaded = useLoad(() => api.get<{ types: IntegrationType[] }>("/integration-types"), [api]);
  if (loaded.error) return <ProblemView problem={loaded.error} heading="The integration types could not be loaded" />;
  if (!loaded.data) return <p role="status">Loading…</p>;
  return <TypesContext.Provider value={loaded.data.types}>{children}</TypesContext.Provider>;
}

export function useTypes(): IntegrationType[] {
  const types = useContext(TypesContext);
  if (!types) throw new Error("useTypes outside TypesProvider");
  return types;
}

export function scopeOfType(type: IntegrationType): "customer" | "tenant" {
  return type.scope === "tenant" ? "tenant" : "customer";
}

export function typeNamed(types: IntegrationType[], key: string): IntegrationType | undefined {
  return types.find((t) => t.type === key);
}
