/**
 * The shapes the event catalogue is made of.
 *
 * A token is a dotted path `group.field` (`invoice.dueDate`). Groups come in two kinds:
 * common groups (`event`, `now`, `owner`, `account`, and `contact` for email) are filled
 * from Herald's own records at render time; payload groups (`service`, `invoice`, ...)
 * are what a client sends as an event's `data`, an object keyed by group name.
 */

/** The value kinds a token field may hold; `date` is YYYY-MM-DD, `time` is HH:MM. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'date-time' | 'time';

/** One field of a token group, as declared once in the group catalogue. */
export interface FieldDef {
  type: FieldType;
  description: string;
  example: string | number | boolean;
  /** A regular expression a string must match, with the words used when it does not. */
  pattern?: { regex: string; hint: string };
  /** The smallest number accepted. */
  minimum?: number;
}

/** A named set of fields; an event type picks the fields it carries from it. */
export interface GroupDef {
  name: string;
  description: string;
  fields: Readonly<Record<string, FieldDef>>;
}

/** How one event type uses one payload group. */
export interface PayloadGroupUse {
  group: string;
  /** The group may be left out of `data` entirely. */
  optional: boolean;
  /** The fields carried, in order; `optionalFields` is a subset of them. */
  fields: readonly string[];
  optionalFields: readonly string[];
}

/** One token as listed by the catalogue and `GET /v1/event-types`. */
export interface TokenDef {
  name: string;
  type: string;
  description: string;
  example: string | number | boolean;
  /** Some events of this type may lack the value; it then renders as an empty string. */
  optional?: boolean;
}

/** A JSON Schema document; kept loose because it is produced here and read by Ajv. */
export type JsonSchema = Record<string, unknown>;

/** One catalogued event type. */
export interface EventTypeDef {
  type: string;
  version: number;
  description: string;
  /** Events of this type concern exactly one account and must name it. */
  hasAccount: boolean;
  /** Every token group the type carries, common ones included; never `contact`. */
  groups: readonly string[];
  /** The groups that make up the event's `data`. */
  payloadGroups: readonly string[];
  payload: readonly PayloadGroupUse[];
  /** The JSON Schema of the event's `data`. */
  schema: JsonSchema;
  /** The tokens a webhook of this type carries (email adds the contact group). */
  tokens: readonly TokenDef[];
}

/** The channel a token list is asked for: contact tokens exist in email only. */
export type Channel = 'webhook' | 'email';
