import type pg from 'pg';
import type { Config } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { openDatabase } from './database.js';
import { migrate } from './migrate.js';

/**
 * How a command-line tool reaches storage: the database the service uses (DATABASE_URL, or the
 * embedded one under DATA_DIR, which a running service holds locked: GW_DB_LOCKED), migrated,
 * open for `fn` and closed after it. Logs only warnings unless LOG_LEVEL is set.
 */
export async function withCliDatabase<T>(config: Config, tool: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', tool);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, log, poolSize: 2 });
  try {
    await migrate(db.pool);
    return await fn(db.pool);
  } finally {
    await db.close();
  }
}
