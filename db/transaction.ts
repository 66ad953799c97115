import type pg from 'pg';
import { dbClientErrors } from '../core/metrics.js';
import { isTransientDbError } from './transient.js';

/**
 * Runs `fn` on a client checked out of `pool`. While checked out the client carries an
 * `'error'` listener: pg emits `'error'` on a client whose connection dies (for example under
 * `pg_terminate_backend`), and an emitter with no listener throws, which would end the process.
 * The query in progress fails anyway, so the listener only counts it. A client whose
 * connection failed is destroyed on release instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
    dbClientErrors.inc();
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    if (isTransientDbError(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * How a transaction begins: `'read-write'` (PostgreSQL's default, READ COMMITTED), or
 * `'read-only-snapshot'` (REPEATABLE READ READ ONLY: every read sees the same committed state).
 */
export type TransactionMode = 'read-write' | 'read-only-snapshot';

const BEGIN: Record<TransactionMode, string> = {
  'read-write': 'BEGIN',
  'read-only-snapshot': 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
};

/**
 * The one transaction helper: `BEGIN`, `fn`, `COMMIT`; `ROLLBACK` and rethrow when `fn` or the
 * commit fails. The client is handled as in `withClient`. Retrying is the caller's choice
 * (`retry` in core/retry.ts), since only the caller knows whether `fn` may run twice.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  mode: TransactionMode = 'read-write',
): Promise<T> {
  return withClient(pool, (client) => inTransaction(client, fn, mode));
}

/**
 * `withTransaction` on a client the caller already holds through `withClient`, for the rare
 * caller that needs several transactions on one session (migrations hold a session-level
 * advisory lock across theirs). Everything else uses `withTransaction`.
 */
export async function inTransaction<C extends pg.ClientBase, T>(client: C, fn: (client: C) => Promise<T>, mode: TransactionMode = 'read-write'): Promise<T> {
  await client.query(BEGIN[mode]);
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A dead connection cannot roll back; the server already discarded the transaction.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
