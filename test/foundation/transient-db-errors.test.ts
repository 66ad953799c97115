/**
 * Which failures count as the database being away for now (retried by the sinks, answered 503
 * GW_DB_UNAVAILABLE by the API) and which do not: a disk's errno must not pass for the database's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import { isTransientDbError } from '../../db/transient.js';

const dbError = (code: string) => Object.assign(new pg.DatabaseError('x', 1, 'error'), { code });

test('connection, rollback, resource and operator SQLSTATEs are transient; bad data is not', () => {
  for (const code of ['08006', '40001', '40P01', '53300', '57P01', '58030', '55P03']) assert.equal(isTransientDbError(dbError(code)), true, code);
  for (const code of ['22P02', '23505', '42P01']) assert.equal(isTransientDbError(dbError(code)), false, code);
});

test('a refused connection and pg\'s own connection messages are transient', async () => {
  // A real refused connect: a port that was listening and is closed again.
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  const refused = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
  assert.equal((refused as { code?: string }).code, 'ECONNREFUSED');
  assert.equal(isTransientDbError(refused), true);
  assert.equal(isTransientDbError(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isTransientDbError(new Error('timeout exceeded when trying to connect')), true);
});

test('file system errors and plain errors are not the database being away', () => {
  let enoent: unknown;
  try {
    fs.readFileSync('/nonexistent/gridwatch/file');
  } catch (e) {
    enoent = e;
  }
  assert.equal((enoent as { code?: string }).code, 'ENOENT');
  assert.equal(isTransientDbError(enoent), false);
  for (const code of ['ENOSPC', 'EACCES', 'EMFILE']) assert.equal(isTransientDbError(Object.assign(new Error(code), { code, path: '/data/x' })), false, code);
  assert.equal(isTransientDbError(new Error('bad data')), false);
});
