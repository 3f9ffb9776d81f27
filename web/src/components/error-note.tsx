import { ApiFailure } from '../api/client.ts';

/** What went wrong, in Herald's own words, where the operator is looking. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const field = error instanceof ApiFailure && error.field ? error.field : undefined;
  return (
    <p className="error-note" role="alert">
      {field ? <strong>{field}: </strong> : null}
      {message}
    </p>
  );
}
