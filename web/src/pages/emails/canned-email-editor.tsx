import { apiCall, listOf } from '../../api/client.ts';
import type { Account, CannedEmail, ContactType, SmtpProfile } from '../../api/types.ts';
import { LoadState } from '../../components/load-state.tsx';
import { useResource } from '../../hooks/use-resource.ts';
import { CannedEmailForm } from './canned-email-form.tsx';

/** Loads what the editor needs, then shows it; `id` is absent for a new email. */
export function CannedEmailEditor({ id }: { id?: string }) {
  const loaded = useResource(
    () =>
      Promise.all([
        id ? apiCall<CannedEmail>('GET', `/email-templates/${id}`) : Promise.resolve(undefined),
        listOf<ContactType>('/contact-types'),
        listOf<SmtpProfile>('/smtp-profiles'),
        listOf<Account>('/accounts'),
      ]),
    [id],
  );
  if (!loaded.data) return <LoadState resource={loaded} />;
  const [email, contactTypes, profiles, accounts] = loaded.data;
  return (
    <CannedEmailForm
      email={email}
      contactTypes={contactTypes}
      profiles={profiles}
      accounts={accounts}
    />
  );
}
