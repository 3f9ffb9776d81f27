/**
 * The API key the operator signed in with. It lives in sessionStorage: it survives
 * a reload of the tab but not the tab itself, and no other tab or site can read it.
 */
const STORAGE_KEY = 'herald.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
