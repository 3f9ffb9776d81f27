import type { Resource } from '../hooks/use-resource.ts';
import { ErrorNote } from './error-note.tsx';

/** "Loading…" on the first load, the error when it failed, nothing once data is in. */
export function LoadState({ resource }: { resource: Resource<unknown> }) {
  if (resource.error) return <ErrorNote error={resource.error} />;
  if (resource.loading && resource.data === undefined)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  return null;
}
