import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Builds the service's root logger. Callers pass child loggers down rather than
 * importing a global. Secret-bearing fields are redacted as a second line of
 * defence; code should not hand them to the logger in the first place.
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
) {
  const settings: pino.LoggerOptions = {
    level: options.level ?? process.env.HERALD_LOG_LEVEL ?? 'info',
    base: { service: 'herald' },
    redact: {
      paths: [
        'password',
        '*.password',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'apiKey',
      ],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
