import { IANAZone } from 'luxon';
import { ApiError, invalid } from '../errors.ts';
import { getEventType, EVENT_TYPES } from '../catalog/index.ts';

/** Checks used by several routes; each names the field and says how to fix it. */

export function checkTimezone(zone: string, field: string): string {
  // Kept as given: ICU would rename some zones to legacy aliases (Asia/Kolkata to
  // Asia/Calcutta), and the client should read back what it wrote.
  if (IANAZone.isValidZone(zone)) return zone;
  throw invalid(
    field,
    `${field} must be an IANA time zone like Europe/London (got ${JSON.stringify(zone)})`,
  );
}

export function checkLocale(locale: string, field: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    throw invalid(
      field,
      `${field} must be a BCP 47 locale like en or fr-CA (got ${JSON.stringify(locale)})`,
    );
  }
}

export function checkEventTypes(types: string[], field: string): string[] {
  types.forEach((type, i) => {
    if (!getEventType(type)) {
      throw new ApiError(
        422,
        'unknown_event_type',
        `${field}[${i}] must be one of ${EVENT_TYPES.map((t) => t.type).join(', ')} (got ` +
          `${JSON.stringify(type)})`,
        `${field}[${i}]`,
      );
    }
  });
  return [...new Set(types)];
}
