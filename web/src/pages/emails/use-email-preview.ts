import { useEffect, useState } from 'react';
import { ApiFailure, apiCall } from '../../api/client.ts';
import type { EmailPreview } from '../../api/types.ts';
import { useDebouncedValue } from '../../hooks/use-debounced-value.ts';

/** The parts of a canned email the preview renders, as they stand in the editor. */
export interface PreviewDraft {
  eventType: string;
  subject: string;
  html: string;
  text: string;
}

export interface PreviewState {
  preview?: EmailPreview;
  error?: unknown;
  /** False when the preview shows the saved version, not what is being typed. */
  showsDraft: boolean;
}

// Set once Herald has refused unsaved fields in a preview request, so later
// previews do not ask again and the editor can say what it shows.
let draftsRefused = false;

/**
 * Renders the canned email through Herald (POST /v1/email-templates/:id/preview),
 * again each time the operator stops typing for a moment. Unsaved changes go with
 * the request; a Herald that renders only saved templates refuses them as unknown
 * fields, and the preview then shows the saved version.
 */
export function useEmailPreview(
  id: string | undefined,
  draft: PreviewDraft,
  saved: PreviewDraft | undefined,
  accountId: string,
): PreviewState {
  const settled = useDebouncedValue(JSON.stringify(draft), 400);
  const [state, setState] = useState<PreviewState>({ showsDraft: true });
  const savedKey = saved && JSON.stringify(saved);

  useEffect(() => {
    if (!id) return;
    let current = true;
    const changed = savedKey !== undefined && settled !== savedKey;
    const base = accountId ? { accountId } : {};
    const render = async (): Promise<PreviewState> => {
      const path = `/email-templates/${id}/preview`;
      if (changed && !draftsRefused) {
        try {
          const body = { ...base, ...(JSON.parse(settled) as PreviewDraft) };
          return { preview: await apiCall<EmailPreview>('POST', path, body), showsDraft: true };
        } catch (failure) {
          if (!(failure instanceof ApiFailure && failure.code === 'unknown_field')) throw failure;
          draftsRefused = true;
        }
      }
      return { preview: await apiCall<EmailPreview>('POST', path, base), showsDraft: !changed };
    };
    render().then(
      (next) => current && setState(next),
      (error) => current && setState((old) => ({ ...old, error, preview: undefined })),
    );
    return () => {
      current = false;
    };
  }, [id, settled, savedKey, accountId]);

  return state;
}
