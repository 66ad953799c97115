import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDataDir } from './embedded-template.js';
import { loadConfig } from '../../core/config.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { startGridwatch, type Gridwatch } from '../../server/runtime.js';
import { getTestDb, resetDb } from './db.js';

/** A whole running service for an end-to-end test, and how to stop and clean it up. */
export interface TestGridwatch {
  gw: Gridwatch;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts the real service (`startGridwatch`) on ephemeral ports and a temporary DATA_DIR.
 * Under `npm test` with DATABASE_URL it uses the suite's real PostGIS, emptied first; on the
 * embedded backend the service opens its own PGlite under DATA_DIR, as `npm start` does on a
 * second start: the folder holds a copy of an already migrated database (embedded-template.ts). `env` adds or overrides variables (e.g. `DEMO: '1'`, `KAFKA_MOCK: '1'`); `log` replaces the
 * silent logger, for a test that reads what the service logged.
 */
export async function startTestGridwatch(env: Record<string, string> = {}, log: Logger = createLogger('silent')): Promise<TestGridwatch> {
  const onPostgres = process.env.GW_TEST_DB_BACKEND === 'postgres' || Boolean(env.DATABASE_URL);
  const dataDir = onPostgres ? fs.mkdtempSync(path.join(os.tmpdir(), 'gw-service-')) : await freshDataDir('gw-service-');
  let databaseUrl: string | undefined;
  if (process.env.GW_TEST_DB_BACKEND === 'postgres') {
    const shared = await getTestDb();
    await resetDb(shared.pool);
    databaseUrl = shared.connectionString;
    await shared.close();
  }
  const base = { PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, DEMO: '0', LOG_LEVEL: 'silent', CHECK_RESPONSES: '1' };
  return startGridwatchIn(dataDir, { ...base, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env }, log);
}

/**
 * Starts the service with the settings `env` (whose DATA_DIR is `dataDir`); its close() stops it
 * and removes `dataDir`, which also goes when the start fails.
 */
export async function startGridwatchIn(dataDir: string, env: Record<string, string>, log: Logger): Promise<TestGridwatch> {
  try {
    const gw = await startGridwatch(loadConfig(env), log);
    return {
      gw,
      dataDir,
      async close() {
        await gw.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
