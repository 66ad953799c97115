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

/**
 * Logs an idle pooled connection that failed (terminated by the server, network loss) by what
 * happened and which pool: never the error object whole, since pg-pool attaches the pg client
 * to it, and with it the backend pid and the cancel-request secret key.
 */
function logIdleFailures(pool: pg.Pool, name: string, log: Logger): void {
  pool.on('error', (err: Error & { code?: string }) =>
    log.warn({ pool: name, code: err.code, error: err.message }, 'an idle database connection failed; the pool opens a new one when needed'),
  );
}

/** A pool's name for logs: host, port and database of the URL, without credentials. */
function poolName(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `postgres ${u.host}${u.pathname}`;
}

/** Opens the database: real PostgreSQL when `databaseUrl` is set, embedded PGlite otherwise. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    logIdleFailures(pool, poolName(opts.databaseUrl), opts.log);
    instrument(pool);
    return { pool, backend: 'postgres', connectionString: opts.databaseUrl, close: () => pool.end() };
  }
  const t0 = Date.now();
  const server = await startEmbeddedServer(opts.dataDir);
  opts.log.info({ ms: Date.now() - t0, dataDir: opts.dataDir }, 'embedded PGlite+PostGIS started');
  const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
  logIdleFailures(pool, 'embedded', opts.log);
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
