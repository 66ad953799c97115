import pg from 'pg';
import type { Logger } from '../core/logger.js';
import { dbDuration } from '../core/metrics.js';
import { startEmbeddedServer } from './embedded.js';

// int8 (bigint ids, counts) arrive as JS numbers: our ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** The one way the rest of the code reaches storage: a `pg` pool, whatever the backend. */
export interface Database {
  pool: pg.Pool;
  backend: 'embedded' | 'postgres';
  /** Connection string usable by another process (tests, CLIs) while this one runs. */
  connectionString: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL + PostGIS; when absent, embedded PGlite+PostGIS under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  log: Logger;
  /** Pool size for a real server (the embedded one always gets 1: PGlite is single-session). */
  poolSize?: number;
}

/** Times every `pool.query` into the db latency histogram, labelled by the query's name. */
function instrument(pool: pg.Pool): void {
  const original = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
    const first = args[0] as { name?: string } | string;
    const label = typeof first === 'object' && first?.name ? first.name : 'adhoc';
    const end = dbDuration.startTimer({ query: label });
    try {
      const res = await original(...args);
      end({ outcome: 'ok' });
      return res;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  };
}

/** Opens the database: real PostgreSQL when `databaseUrl` is set, embedded PGlite otherwise. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', (err) => opts.log.warn({ err }, 'idle database connection failed'));
    instrument(pool);
    return { pool, backend: 'postgres', connectionString: opts.databaseUrl, close: () => pool.end() };
  }
  const t0 = Date.now();
  const server = await startEmbeddedServer(opts.dataDir);
  opts.log.info({ ms: Date.now() - t0, dataDir: opts.dataDir }, 'embedded PGlite+PostGIS started');
  const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
  pool.on('error', (err) => opts.log.warn({ err }, 'embedded database connection failed'));
  instrument(pool);
  return {
    pool,
    backend: 'embedded',
    connectionString: server.connectionString,
    async close() {
      await pool.end();
      await server.stop();
    },
  };
}
