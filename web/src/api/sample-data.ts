import type { JsonSchema } from './types.ts';

/**
 * A payload for a test event, made from the examples in an event type's schema
 * (the same examples Herald's own previews use), so it passes intake as it is.
 * Optional groups are filled too, so every token of the type has a value.
 */
export function sampleFromSchema(schema: JsonSchema): unknown {
  if (schema.examples && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (variant) return sampleFromSchema(variant);

  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, field]) => [
          name,
          sampleFromSchema(field),
        ]),
      );
    case 'array':
      return schema.items ? [sampleFromSchema(schema.items)] : [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      return '';
    default:
      return null;
  }
}
