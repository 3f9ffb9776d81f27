import type { EventType } from '../../api/types.ts';

interface TokenListProps {
  eventType: EventType | undefined;
  /** Puts `{{name}}` where the cursor was in the subject or a body. */
  onInsert: (token: string) => void;
}

/** The tokens the chosen event type carries, from the catalogue Herald serves. */
export function TokenList({ eventType, onInsert }: TokenListProps) {
  if (!eventType) return <p className="muted">Choose an event type to see its tokens.</p>;
  return (
    <section className="tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens of {eventType.type}</h2>
      <p className="muted">
        Write a token as <code>{'{{name}}'}</code>; a button inserts it at the cursor.
      </p>
      <ul className="plain">
        {eventType.tokens.map((token) => (
          <li key={token.name}>
            <button type="button" className="token" onClick={() => onInsert(token.name)}>
              <code>{`{{${token.name}}}`}</code>
            </button>
            <span className="muted">
              {token.description}
              {token.optional ? ' (may be empty)' : ''}, e.g. {String(token.example)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
