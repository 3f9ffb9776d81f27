interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  autoFocus?: boolean;
  type?: string;
  inputMode?: 'numeric';
  autoComplete?: string;
  hint?: string;
}

/** A labelled text input; `hint` is said after the label. */
export function TextField({ label, value, onChange, autoFocus, hint, ...rest }: TextFieldProps) {
  return (
    <label>
      {label}
      {hint ? <span className="muted"> ({hint})</span> : null}
      <input
        {...rest}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-autofocus={autoFocus ? true : undefined}
      />
    </label>
  );
}
