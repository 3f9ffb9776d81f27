/**
 * Derives the JSON Schema (draft 2020-12) of an event type's `data` from its
 * declaration. Unknown groups and unknown fields are refused, so that a typo in a
 * payload fails at intake instead of rendering as an empty token later.
 */

import { getGroup } from './groups.ts';
import type { EventTypeDeclaration } from './declarations.ts';
import type { FieldDef, GroupDef, JsonSchema, PayloadGroupUse } from './types.ts';

/** Strings longer than this are refused; no token needs more, and it bounds row sizes. */
export const MAX_STRING_LENGTH = 1000;

/** HH:MM on a 24-hour clock. */
export const TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

const fieldSchema = (field: FieldDef): JsonSchema => {
  const meta = { description: field.description, examples: [field.example] };
  switch (field.type) {
    case 'string':
      return {
        type: 'string',
        maxLength: MAX_STRING_LENGTH,
        ...(field.pattern ? { pattern: field.pattern.regex } : {}),
        ...meta,
      };
    case 'number':
    case 'integer':
      return {
        type: field.type,
        ...(field.minimum === undefined ? {} : { minimum: field.minimum }),
        ...meta,
      };
    case 'boolean':
      return { type: 'boolean', ...meta };
    case 'date':
    case 'date-time':
      return { type: 'string', format: field.type, ...meta };
    case 'time':
      return { type: 'string', pattern: TIME_PATTERN, ...meta };
  }
};

/** The group definition a declaration names; a missing one is a catalogue bug. */
export const groupOf = (use: PayloadGroupUse): GroupDef => {
  const group = getGroup(use.group);
  if (!group) throw new Error(`catalogue names unknown token group "${use.group}"`);
  return group;
};

/** The field definition a declaration names; a missing one is a catalogue bug. */
export const fieldOf = (use: PayloadGroupUse, name: string): FieldDef => {
  const field = groupOf(use).fields[name];
  if (!field) throw new Error(`catalogue names unknown field "${use.group}.${name}"`);
  return field;
};

const groupSchema = (use: PayloadGroupUse): JsonSchema => {
  const properties: Record<string, JsonSchema> = {};
  for (const name of use.fields) properties[name] = fieldSchema(fieldOf(use, name));
  return {
    type: 'object',
    description: groupOf(use).description,
    properties,
    required: use.fields.filter((f) => !use.optionalFields.includes(f)),
    additionalProperties: false,
  };
};

/** The schema of `data` for one declared event type. */
export const buildSchema = (decl: EventTypeDeclaration, version: number): JsonSchema => {
  const properties: Record<string, JsonSchema> = {};
  for (const use of decl.payload) properties[use.group] = groupSchema(use);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:herald:event-type:${decl.type}:v${version}`,
    title: `${decl.type} data`,
    description: decl.description,
    type: 'object',
    properties,
    required: decl.payload.filter((u) => !u.optional).map((u) => u.group),
    additionalProperties: false,
  };
};
