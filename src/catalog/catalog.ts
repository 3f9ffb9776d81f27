/**
 * The event catalogue: the declared types with their derived schemas and token lists,
 * and the look-ups the rest of Herald uses. Served as `GET /v1/event-types`.
 */

import { invalid } from '../errors.ts';
import { DECLARATIONS } from './declarations.ts';
import { buildSchema } from './schema.ts';
import { buildTokens, commonGroupsOf, CONTACT_TOKENS } from './tokens.ts';
import type { Channel, EventTypeDef, TokenDef } from './types.ts';

/** Every catalogue entry is at version 1 until a payload changes incompatibly. */
const VERSION = 1;

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

/** All catalogued event types, in the order of the design's table. Frozen. */
export const EVENT_TYPES: readonly EventTypeDef[] = deepFreeze(
  DECLARATIONS.map((decl): EventTypeDef => ({
    type: decl.type,
    version: VERSION,
    description: decl.description,
    hasAccount: decl.hasAccount,
    groups: [...commonGroupsOf(decl).map((g) => g.name), ...decl.payload.map((u) => u.group)],
    payloadGroups: decl.payload.map((u) => u.group),
    payload: decl.payload,
    schema: buildSchema(decl, VERSION),
    tokens: buildTokens(decl),
  })),
);

const BY_TYPE = new Map(EVENT_TYPES.map((t) => [t.type, t]));

/** The names of all catalogued types, for messages and enums. */
export const EVENT_TYPE_NAMES: readonly string[] = EVENT_TYPES.map((t) => t.type);

/** The catalogue entry of a type, or undefined when the type is not catalogued. */
export const getEventType = (type: string): EventTypeDef | undefined => BY_TYPE.get(type);

/**
 * The catalogue entry of a type, or a 422 on `field` that lists the known types.
 * Use it where a client names a type (events, templates, subscriptions).
 */
export const requireEventType = (type: unknown, field = 'type'): EventTypeDef => {
  const def = typeof type === 'string' ? BY_TYPE.get(type) : undefined;
  if (!def) {
    throw invalid(
      field,
      `${field} must be a catalogued event type (got ${JSON.stringify(type)}); ` +
        `known types: ${EVENT_TYPE_NAMES.join(', ')}`,
      'unknown_event_type',
    );
  }
  return def;
};

/**
 * The tokens an event type offers on a channel; email adds the recipient's contact
 * group. An unknown type gives an empty list rather than throwing, so check the type
 * first where a client named it.
 */
export const tokensFor = (type: string, channel: Channel): TokenDef[] => {
  const def = BY_TYPE.get(type);
  if (!def) return [];
  if (channel === 'webhook') return [...def.tokens];
  const payloadStart = def.tokens.findIndex((t) => def.payloadGroups.includes(groupName(t)));
  const at = payloadStart === -1 ? def.tokens.length : payloadStart;
  return [...def.tokens.slice(0, at), ...CONTACT_TOKENS, ...def.tokens.slice(at)];
};

const groupName = (token: TokenDef): string => token.name.slice(0, token.name.indexOf('.'));

/** Just the token names of `tokensFor`, the shape `checkTemplate` takes. */
export const tokenNames = (type: string, channel: Channel): string[] =>
  tokensFor(type, channel).map((t) => t.name);

/**
 * The token names every one of the given types carries, for a template or webhook
 * parameter that serves several types at once (an endpoint subscribed to many).
 */
export const sharedTokenNames = (types: readonly string[], channel: Channel): string[] => {
  if (types.length === 0) return [];
  const [first, ...rest] = types.map((t) => new Set(tokenNames(t, channel)));
  return [...first].filter((name) => rest.every((set) => set.has(name)));
};
