/**
 * Checks an event's `data` against its type's schema and turns the first problem into
 * a 422 that names the field (`data.invoice.total`) and says what would be accepted.
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { invalid } from '../errors.ts';
import { requireEventType } from './catalog.ts';
import { COMMON_GROUP_NAMES, getGroup } from './groups.ts';
import { MAX_STRING_LENGTH, TIME_PATTERN } from './schema.ts';
import type { EventTypeDef } from './types.ts';

// ajv-formats is CommonJS; under Node's ESM loader its default import is the
// module.exports function, which also carries itself as `.default` (what the types see).
const addFormats = addFormatsModule.default;

// One problem at a time: the first one is what the client fixes, and allErrors would
// make a hostile payload cost more to check.
const ajv = new Ajv2020({ allErrors: false, verbose: true, strict: true });
addFormats(ajv, ['date', 'date-time']);

const compiled = new Map<string, ValidateFunction>();

const validatorFor = (def: EventTypeDef): ValidateFunction => {
  let validate = compiled.get(def.type);
  if (!validate) {
    validate = ajv.compile(def.schema);
    compiled.set(def.type, validate);
  }
  return validate;
};

/**
 * Throws a 422 ApiError (field like `data.service.name`) unless `data` is a valid
 * payload of `type`; an uncatalogued type is refused on field `type`.
 */
export const validatePayload = (type: string, data: unknown): void => {
  const def = requireEventType(type);
  const validate = validatorFor(def);
  if (validate(data)) return;

  const error = validate.errors?.[0];
  if (!error) throw invalid('data', `data is not a valid ${type} payload`);
  const { field, message } = explain(def, error);
  throw invalid(field, message);
};

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const segmentsOf = (instancePath: string): string[] =>
  instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

const fieldNamesOf = (def: EventTypeDef, group: string): string[] =>
  def.payload.find((u) => u.group === group)?.fields.slice() ?? [];

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

const explain = (def: EventTypeDef, error: ErrorObject): { field: string; message: string } => {
  const path = segmentsOf(error.instancePath);
  const here = ['data', ...path].join('.');
  const got = `(got ${show(error.data)})`;
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const field = `${here}.${missing}`;
      if (path.length > 0) return { field, message: `${field} is required` };
      const fields = fieldNamesOf(def, missing).join(', ');
      return {
        field,
        message: `${field} is required: ${def.type} events carry ${missing} {${fields}}`,
      };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const field = `${here}.${extra}`;
      if (path.length === 0) return { field, message: unknownGroupMessage(def, field, extra) };
      const allowed = fieldNamesOf(def, path[0]).join(', ');
      return {
        field,
        message: `${field} is not a field of ${path[0]} in ${def.type}; allowed fields: ${allowed}`,
      };
    }
    case 'type': {
      if (path.length === 0) {
        return { field: 'data', message: `data must be an object keyed by token group ${got}` };
      }
      if (path.length === 1) {
        return { field: here, message: `${here} must be an object of ${path[0]} fields ${got}` };
      }
      const wanted = TYPE_WORDS[String(params.type)] ?? String(params.type);
      return { field: here, message: `${here} must be ${wanted} ${got}` };
    }
    case 'format':
      return {
        field: here,
        message: `${here} must be ${formatWords(String(params.format))} ${got}`,
      };
    case 'pattern':
      return { field: here, message: `${here} must be ${patternWords(path, params)} ${got}` };
    case 'minimum':
      return { field: here, message: `${here} must be at least ${params.limit} ${got}` };
    case 'maxLength':
      return {
        field: here,
        message:
          `${here} must be at most ${MAX_STRING_LENGTH} characters ` +
          `(got ${String(error.data).length})`,
      };
    default:
      return { field: here, message: `${here} ${error.message ?? 'is not valid'} ${got}` };
  }
};

const unknownGroupMessage = (def: EventTypeDef, field: string, group: string): string => {
  const allowed = def.payloadGroups.join(', ');
  if (COMMON_GROUP_NAMES.includes(group)) {
    const source = group === 'account' ? 'the account named by accountId' : 'its own records';
    return (
      `${field} is not part of the payload: Herald fills ${group} tokens from ${source}; ` +
      `${def.type} data takes: ${allowed}`
    );
  }
  return `${field} is not a token group of ${def.type}; allowed groups: ${allowed}`;
};

const formatWords = (format: string): string => {
  if (format === 'date') return 'a date as YYYY-MM-DD';
  if (format === 'date-time') {
    return 'an ISO 8601 date-time with a time zone, such as "2025-03-14T09:30:00Z"';
  }
  return `a valid ${format}`;
};

const patternWords = (path: string[], params: Record<string, unknown>): string => {
  if (params.pattern === TIME_PATTERN) return 'a time of day as HH:MM (24-hour)';
  const hint = getGroup(path[0] ?? '')?.fields[path[1] ?? '']?.pattern?.hint;
  return hint ?? `a string matching ${String(params.pattern)}`;
};
