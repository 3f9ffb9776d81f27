/**
 * The event catalogue: the sixteen event types, their payload schemas and token lists,
 * validation of incoming payloads, and sample values for previews.
 */

export {
  EVENT_TYPES,
  EVENT_TYPE_NAMES,
  getEventType,
  requireEventType,
  sharedTokenNames,
  tokenNames,
  tokensFor,
} from './catalog.ts';
export { COMMON_GROUP_NAMES, getGroup } from './groups.ts';
export { CONTACT_TOKENS } from './tokens.ts';
export { sampleCommon, sampleData, type SampleCommon } from './samples.ts';
export { validatePayload } from './validate.ts';
export type {
  Channel,
  EventTypeDef,
  FieldDef,
  FieldType,
  GroupDef,
  JsonSchema,
  PayloadGroupUse,
  TokenDef,
} from './types.ts';
