import { useEffect, useState } from 'react';

/**
 * The page the address names, from its hash: `#/emails/tpl_1` gives
 * `['emails', 'tpl_1']`. Hash routes need nothing from the server, so any page of
 * the console can be bookmarked or reloaded while Herald serves only index.html.
 */
export function useHashRoute(): string[] {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(...parts: string[]): void {
  window.location.hash = '/' + parts.map(encodeURIComponent).join('/');
}
