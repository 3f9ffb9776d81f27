import { createContext, useContext, type ReactNode } from 'react';
import { listOf } from './api/client.ts';
import type { EventType } from './api/types.ts';
import { LoadState } from './components/load-state.tsx';
import { useResource } from './hooks/use-resource.ts';

const CatalogContext = createContext<EventType[]>([]);

/** Loads the event catalogue once per sign-in; every page reads it from here. */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const catalog = useResource(() => listOf<EventType>('/event-types'), []);
  if (!catalog.data) return <LoadState resource={catalog} />;
  return <CatalogContext.Provider value={catalog.data}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): EventType[] {
  return useContext(CatalogContext);
}
