import { Type } from '@sinclair/typebox';
import { triggerSettings } from '../../triggers/scheduled-rows.ts';
import { TRIGGER_SETTINGS_ID, type TriggerSettingsDoc } from '../../triggers/trigger-records.ts';
import type { Api, ApiContext } from '../context.ts';
import { invalid } from '../../errors.ts';
import { isTimeZone } from '../../triggers/local-time.ts';

const Patch = Type.Object(
  {
    timezone: Type.Optional(
      Type.String({ maxLength: 100, description: 'IANA time zone of accounts that have none' }),
    ),
    dormantDays: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
        description: 'days without usage before a SIM is dormant; null turns it off',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The owner's trigger settings: default time zone, dormancy period. */
export function triggerSettingsRoutes(app: Api, ctx: ApiContext): void {
  const opts = { config: { scope: 'config' as const } };
  const tags = ['triggers'];

  app.get('/v1/trigger-settings', { ...opts, schema: { tags } }, async (request) =>
    triggerSettings(ctx.store, request.caller.owner.id),
  );

  app.patch('/v1/trigger-settings', { ...opts, schema: { body: Patch, tags } }, async (request) => {
    const ownerId = request.caller.owner.id;
    const doc: TriggerSettingsDoc = { ...(await triggerSettings(ctx.store, ownerId)) };
    const { timezone, dormantDays } = request.body;
    if (timezone !== undefined) {
      if (!isTimeZone(timezone)) {
        throw invalid(
          'timezone',
          `timezone must be an IANA time zone like Europe/London (got ${JSON.stringify(timezone)})`,
        );
      }
      doc.timezone = timezone;
    }
    if (dormantDays !== undefined) doc.dormantDays = dormantDays;
    await ctx.store.putRecords([
      { ownerId, kind: 'trigger-settings', id: TRIGGER_SETTINGS_ID, doc },
    ]);
    return doc;
  });
}
