const PAGES = [
  ['endpoints', 'Endpoints'],
  ['smtp', 'SMTP profiles'],
  ['emails', 'Canned emails'],
  ['subscriptions', 'Subscriptions'],
  ['deliveries', 'Delivery log'],
] as const;

export function NavBar({ current, onSignOut }: { current: string; onSignOut: () => void }) {
  return (
    <header className="top">
      <span className="brand">Herald</span>
      <nav aria-label="Console pages">
        <ul>
          {PAGES.map(([page, label]) => (
            <li key={page}>
              <a href={`#/${page}`} aria-current={current === page ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" className="ghost" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
