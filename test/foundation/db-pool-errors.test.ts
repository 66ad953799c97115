/**
 * What the service logs when an idle pooled connection dies: what happened (message, SQLSTATE
 * code) and which pool, never the pg client that pg-pool attaches to the error, with its
 * backend pid (`processID`) and cancel-request `secretKey`. The pool is `openDatabase`'s own,
 * logging through pino to a stream this test reads.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { openDatabase, type Database } from '../../db/database.js';
import { CuttableProxy } from '../ingest/db-proxy.js';
import { waitFor } from '../ingest/mqtt-kafka-support.js';
import { getTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let dataDir: string;
before(async () => {
  db = await getTestDb();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-pool-errors-'));
});
after(async () => {
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `openDatabase` on `databaseUrl` with a logger whose lines this test can read. */
async function openLogged(databaseUrl: string): Promise<{ database: Database; lines: string[] }> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const database = await openDatabase({ databaseUrl, dataDir, log: pino({ level: 'info' }, stream) });
  return { database, lines };
}

/** Waits for the pool's log line about the failed connection and checks what it holds. */
async function assertLoggedSafely(lines: string[], expected: { pool: string; error: RegExp; code?: string }): Promise<void> {
  const line = await waitFor('the pool to log the failed connection', () => lines.find((l) => /database connection failed/.test(l)), 10_000);
  for (const l of lines) assert.doesNotMatch(l, /secretKey|processID|"client"/, 'no pg client, backend pid or cancel key in the log');
  const entry = JSON.parse(line) as Record<string, unknown>;
  assert.equal(entry.level, 40, 'logged as a warning');
  assert.equal(entry.pool, expected.pool, 'it names the pool');
  assert.match(String(entry.error), expected.error, 'it says what happened');
  if (expected.code) assert.equal(entry.code, expected.code);
}

test('an idle connection lost to the network is logged by what happened and which pool, not by the pg client', async () => {
  const target = new URL(db.connectionString);
  const socketDir = target.searchParams.get('host');
  const port = Number(target.searchParams.get('port') ?? (target.port || 5432));
  const proxy = new CuttableProxy(socketDir ? { path: `${socketDir}/.s.PGSQL.${port}` } : { host: target.hostname, port });
  await proxy.listen();
  const url = `postgres://${target.username || 'postgres'}@127.0.0.1:${proxy.port}${target.pathname}`;
  const { database, lines } = await openLogged(url);
  try {
    await database.pool.query('SELECT 1'); // leaves one idle connection in the pool
    proxy.cut();
    await assertLoggedSafely(lines, { pool: `postgres 127.0.0.1:${proxy.port}${target.pathname}`, error: /Connection terminated unexpectedly/ });
  } finally {
    await database.close();
    await proxy.close();
  }
});

test(
  'a backend terminated with pg_terminate_backend is logged with its message and SQLSTATE, not by the pg client',
  { skip: process.env.GW_TEST_DB_BACKEND !== 'postgres' ? 'needs real PostgreSQL (npm test with DATABASE_URL): PGlite has no backends to terminate' : false },
  async () => {
    const { database, lines } = await openLogged(db.connectionString);
    try {
      const { rows } = await database.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      const u = new URL(db.connectionString);
      await assertLoggedSafely(lines, { pool: `postgres ${u.host}${u.pathname}`, error: /terminating connection due to administrator command/, code: '57P01' });
      // The pool heals: the next query gets a fresh connection.
      assert.deepEqual((await database.pool.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
    } finally {
      await database.close();
    }
  },
);
