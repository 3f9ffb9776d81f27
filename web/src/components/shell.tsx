import { useHashRoute } from '../hooks/use-hash-route.ts';
import { CannedEmailEditor } from '../pages/emails/canned-email-editor.tsx';
import { CannedEmailsPage } from '../pages/emails/canned-emails-page.tsx';
import { DeliveriesPage } from '../pages/deliveries/deliveries-page.tsx';
import { EndpointsPage } from '../pages/endpoints/endpoints-page.tsx';
import { SmtpProfilesPage } from '../pages/smtp/smtp-profiles-page.tsx';
import { SubscriptionsPage } from '../pages/subscriptions/subscriptions-page.tsx';
import { NavBar } from './nav-bar.tsx';

/** The signed-in console: the navigation, and the page the address names. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const [page = 'endpoints', id] = useHashRoute();
  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(event) => {
          // The hash names pages here, so move the focus instead of following the link.
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <NavBar current={page} onSignOut={onSignOut} />
      <main id="main" tabIndex={-1}>
        <Page page={page} id={id} />
      </main>
    </>
  );
}

function Page({ page, id }: { page: string; id?: string }) {
  switch (page) {
    case 'endpoints':
      return <EndpointsPage />;
    case 'smtp':
      return <SmtpProfilesPage />;
    case 'emails':
      return id ? (
        <CannedEmailEditor key={id} id={id === 'new' ? undefined : id} />
      ) : (
        <CannedEmailsPage />
      );
    case 'subscriptions':
      return <SubscriptionsPage />;
    case 'deliveries':
      return <DeliveriesPage />;
    default:
      return <p>There is no page “{page}”. Pick one from the menu above.</p>;
  }
}
