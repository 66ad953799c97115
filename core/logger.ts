import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (pino) to standard output, or to `destination` (a test reading what the
 * service logged). Secrets in common places are redacted.
 */
export function createLogger(level: string, name = 'gridwatch', destination?: DestinationStream): Logger {
  const options = { name, level, redact: ['req.headers.authorization', 'password', 'token', '*.password', '*.token'] };
  return destination ? pino(options, destination) : pino(options);
}
