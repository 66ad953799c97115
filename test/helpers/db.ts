import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer } from '../../db/embedded.js';
import { migrate } from '../../db/migrate.js';

export interface TestDb {
  pool: pg.Pool;
  backend: 'embedded' | 'postgres';
  connectionString: string;
  close(): Promise<void>;
}

/**
 * The database for a test file. Under `npm test` the runner has started one database (the
 * embedded PGlite+PostGIS, or the real PostGIS from DATABASE_URL) and migrated it; test files
 * run one at a time and share it. Run alone (`node --import tsx --test file`), a file starts
 * its own embedded database in a temporary folder.
 */
export async function getTestDb(): Promise<TestDb> {
  const url = process.env.GW_TEST_DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const backend = process.env.GW_TEST_DB_BACKEND === 'postgres' ? 'postgres' : 'embedded';
    return { pool, backend, connectionString: url, close: () => pool.end() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-testdb-'));
  const server = await startEmbeddedServer(dir, 4);
  const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
  await migrate(pool);
  return {
    pool,
    backend: 'embedded',
    connectionString: server.connectionString,
    async close() {
      await pool.end();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Empties every application table (keeps the schema and PostGIS's own tables). */
export async function resetDb(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT quote_ident(tablename) AS t FROM pg_tables
      WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'spatial_ref_sys')`,
  );
  if (rows.length) await pool.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY CASCADE`);
}
