import pg from 'pg';

/**
 * Whether a database failure may pass if tried again: SQLSTATE classes connection (08),
 * rollback (40: serialization, deadlock), resources (53), operator intervention such as
 * `pg_terminate_backend` (57) and system (58), and lock_not_available (55P03); socket errors
 * (ECONNREFUSED, ECONNRESET …) and pg's own "connection terminated" errors. Anything else (bad
 * data, a bug, a GwError from our own checks) fails the same way on every attempt.
 */
export function isTransientDbError(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? '';
    return ['08', '40', '53', '57', '58'].includes(code.slice(0, 2)) || code === '55P03';
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return /connection (terminated|timeout)|connection error|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    String((err as Error | null)?.message),
  );
}
