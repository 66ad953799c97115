import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino). Secrets in common places are redacted. */
export function createLogger(level: string, name = 'gridwatch'): Logger {
  return pino({
    name,
    level,
    redact: ['req.headers.authorization', 'password', 'token', '*.password', '*.token'],
  });
}
