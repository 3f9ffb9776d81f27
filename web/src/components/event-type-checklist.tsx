import { useCatalog } from '../catalog-context.tsx';

interface EventTypeChecklistProps {
  legend: string;
  value: string[];
  onChange: (types: string[]) => void;
  /** Offer only these types (a subscription to an endpoint); all of the catalogue else. */
  only?: string[];
}

/** A multi-select of event types as a group of checkboxes: Tab and Space work. */
export function EventTypeChecklist({ legend, value, onChange, only }: EventTypeChecklistProps) {
  const types = useCatalog()
    .map((t) => t.type)
    .filter((type) => !only || only.includes(type));
  const toggle = (type: string, on: boolean) =>
    onChange(on ? [...value, type] : value.filter((t) => t !== type));

  return (
    <fieldset className="checklist">
      <legend>{legend}</legend>
      <div className="checklist-actions">
        <button type="button" className="link" onClick={() => onChange(types)}>
          Select all
        </button>
        <button type="button" className="link" onClick={() => onChange([])}>
          Clear
        </button>
      </div>
      <div className="checklist-grid">
        {types.map((type) => (
          <label key={type} className="check">
            <input
              type="checkbox"
              checked={value.includes(type)}
              onChange={(event) => toggle(type, event.target.checked)}
            />
            <code>{type}</code>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
