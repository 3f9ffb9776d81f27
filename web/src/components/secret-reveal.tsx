import { useState } from 'react';

/** A secret Herald shows once: spelled out, selectable, with a copy button. */
export function SecretReveal({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    // The clipboard API exists only on secure origins (https, localhost).
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied');
    } catch {
      setCopied('Select the text to copy it');
    }
  };
  return (
    <div className="secret">
      <p>
        <strong>{label}</strong> Copy it now: Herald will not show it again.
      </p>
      <div className="secret-row">
        <code data-testid="secret-value">{secret}</code>
        <button type="button" onClick={copy} data-autofocus>
          {copied ?? 'Copy'}
        </button>
      </div>
    </div>
  );
}
