import { cloneElement, useId, type ReactElement } from 'react';

interface FieldProps {
  label: string;
  /** Said after the label, in a lighter voice. */
  hint?: string;
  inline?: boolean;
  children: ReactElement<{ id?: string }>;
}

/**
 * A control with a label tied to it by id. Selects need this: a <select> inside
 * its <label> gets the chosen option's text in its accessible name as well.
 */
export function Field({ label, hint, inline, children }: FieldProps) {
  const id = useId();
  return (
    <div className={inline ? 'field field-inline' : 'field'}>
      <label htmlFor={id}>
        {label}
        {hint ? <span className="muted"> ({hint})</span> : null}
      </label>
      {cloneElement(children, { id })}
    </div>
  );
}
