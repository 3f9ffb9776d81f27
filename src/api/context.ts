import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HeraldConfig } from '../config.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { SmtpTransports } from '../email/smtp-transports.ts';
import type { Intake } from '../ingest/intake.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

/** What the routes share: the store and the services they call. */
export interface ApiContext {
  store: Store;
  /** Owners read through the record cache (see authenticator). */
  owners?: Pick<Store, 'getOwner'>;
  config: HeraldConfig;
  secrets: SecretBox;
  intake: Intake;
  transports: SmtpTransports;
  logger: Logger;
  /** Tells the workers that deliveries were queued outside intake (resend). */
  wake: () => void;
}

export type Api = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;
