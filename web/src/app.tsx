import { useEffect, useState } from 'react';
import { onSignedOut } from './api/client.ts';
import { CatalogProvider } from './catalog-context.tsx';
import { Shell } from './components/shell.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { forgetKey, storedKey } from './session.ts';

/** Signed in or not: the console proper, or the sign-in form. */
export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== null);
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    onSignedOut(() => {
      setNotice('Herald refused the API key (it may have been revoked). Sign in again.');
      setSignedIn(false);
    });
  }, []);

  if (!signedIn) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={() => {
          setNotice(undefined);
          setSignedIn(true);
        }}
      />
    );
  }
  const signOut = () => {
    forgetKey();
    setSignedIn(false);
  };
  return (
    <CatalogProvider>
      <Shell onSignOut={signOut} />
    </CatalogProvider>
  );
}
