import { Type } from '@sinclair/typebox';
import { ApiError } from '../errors.ts';
import type { SchemaState, Store } from '../store/store.ts';
import type { Api } from './context.ts';
import { ErrorBody } from './shared.ts';

/** A database that has not answered in this long is reported unreachable. */
const READY_TIMEOUT_MS = 2000;

const tags = ['operations'];
// Probes come from load balancers and orchestrators, which hold no API key.
const security: never[] = [];

const Alive = Type.Object({ ok: Type.Boolean() });
const Ready = Type.Object({
  ready: Type.Boolean(),
  schema: Type.Object({
    applied: Type.Integer({ description: 'migrations the database has applied' }),
    latest: Type.Integer({ description: 'migrations this Herald knows' }),
  }),
});

/**
 * The probes: /healthz answers while the process runs (liveness), /readyz only
 * when the database answers and its schema is as new as this code (readiness).
 * A schema newer than the code still counts as ready: during a rolling upgrade the
 * new processes migrate first, and migrations only add to the schema.
 */
export function healthRoutes(app: Api, store: Store): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags,
        security,
        summary: 'Liveness: the process runs and serves HTTP',
        response: { 200: Alive },
      },
    },
    async () => ({ ok: true }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        security,
        summary: 'Readiness: the database is reachable and its migrations are current',
        response: {
          200: Ready,
          503: { description: 'Not ready; the message says why', ...ErrorBody },
        },
      },
    },
    async (request) => {
      const schema = await schemaWithin(store, READY_TIMEOUT_MS).catch((error: unknown) => {
        // The probe is open to anyone: the cause (hosts, user names) goes to the log only.
        request.log.warn({ err: error }, 'readiness check: the database cannot be reached');
        throw new ApiError(
          503,
          'storage_unreachable',
          "the database cannot be reached; Herald's log says why",
        );
      });
      if (schema.applied < schema.latest) {
        throw new ApiError(
          503,
          'migrations_pending',
          `the database schema is at version ${schema.applied} but this Herald needs ` +
            `${schema.latest}: run "herald migrate" (or restart, which migrates)`,
        );
      }
      return { ready: true, schema };
    },
  );
}

async function schemaWithin(store: Store, ms: number): Promise<SchemaState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([store.schemaState(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
