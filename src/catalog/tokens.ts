/**
 * Token lists, derived from the group catalogue and an event type's declaration.
 */

import {
  COMMON_GROUPS,
  CONTACT_GROUP,
  OPTIONAL_COMMON_TOKENS,
  OPTIONAL_CONTACT_TOKENS,
} from './groups.ts';
import { fieldOf } from './schema.ts';
import type { EventTypeDeclaration } from './declarations.ts';
import type { GroupDef, TokenDef } from './types.ts';

const tokensOfGroup = (group: GroupDef, optionalNames: ReadonlySet<string>): TokenDef[] =>
  Object.entries(group.fields).map(([field, def]) => {
    const name = `${group.name}.${field}`;
    const token: TokenDef = {
      name,
      type: def.type,
      description: def.description,
      example: def.example,
    };
    if (optionalNames.has(name)) token.optional = true;
    return token;
  });

/** The common groups an event type carries: event, now, owner, and account if it has one. */
export const commonGroupsOf = (decl: { hasAccount: boolean }): GroupDef[] =>
  COMMON_GROUPS.filter((g) => g.name !== 'account' || decl.hasAccount);

/** The webhook token list of a declared type: common tokens first, then its payload. */
export const buildTokens = (decl: EventTypeDeclaration): TokenDef[] => {
  const tokens = commonGroupsOf(decl).flatMap((g) => tokensOfGroup(g, OPTIONAL_COMMON_TOKENS));
  for (const use of decl.payload) {
    for (const field of use.fields) {
      const def = fieldOf(use, field);
      const token: TokenDef = {
        name: `${use.group}.${field}`,
        type: def.type,
        description: def.description,
        example: def.example,
      };
      if (use.optional || use.optionalFields.includes(field)) token.optional = true;
      tokens.push(token);
    }
  }
  return tokens;
};

/** The tokens of the recipient contact, which emails add to every type's list. */
export const CONTACT_TOKENS: readonly TokenDef[] = tokensOfGroup(
  CONTACT_GROUP,
  OPTIONAL_CONTACT_TOKENS,
);
