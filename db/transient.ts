import pg from 'pg';

/**
 * The socket errors of a connection to the server that is refused, cut or unroutable. Only
 * these errno codes: a file system's (ENOSPC, EACCES …) is not the database's, and an HTTP
 * request that hits one must not be told the database is away.
 */
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * Whether a database failure may pass if tried again: SQLSTATE classes connection (08),
 * rollback (40: serialization, deadlock), resources (53), operator intervention such as
 * `pg_terminate_backend` (57) and system (58), and lock_not_available (55P03); socket errors
 * (SOCKET_ERRORS) and pg's own "connection terminated" errors. Anything else (bad
 * data, a bug, a GwError from our own checks) fails the same way on every attempt.
 */
export function isTransientDbError(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? '';
    return ['08', '40', '53', '57', '58'].includes(code.slice(0, 2)) || code === '55P03';
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_ERRORS.has(code)) return true;
  return /connection (terminated|timeout)|connection error|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    String((err as Error | null)?.message),
  );
}
