import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../../db/embedded.js';
import { migrate, readMigrations } from '../../db/migrate.js';
import { GwError } from '../../core/errors.js';

// A private database: this test applies its own migration set, which must not touch the shared one.
describe('migration runner', () => {
  let server: EmbeddedServer;
  let pool: pg.Pool;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-mig-'));
  const migDir = path.join(dir, 'migrations');

  before(async () => {
    server = await startEmbeddedServer(path.join(dir, 'data'));
    pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
    fs.mkdirSync(migDir);
  });
  after(async () => {
    await pool.end();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending migrations in order, once', async () => {
    fs.writeFileSync(path.join(migDir, '001_first.sql'), 'CREATE TABLE t1 (id int);');
    fs.writeFileSync(path.join(migDir, '002_second.sql'), 'INSERT INTO t1 VALUES (1), (2);');
    assert.deepEqual(await migrate(pool, migDir), [1, 2]);
    assert.deepEqual(await migrate(pool, migDir), []);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM t1');
    assert.equal(rows[0].n, 2);
  });

  it('rolls back a failing migration entirely and reports which one', async () => {
    fs.writeFileSync(path.join(migDir, '003_broken.sql'), 'CREATE TABLE t3 (id int); SELECT no_such_function();');
    await assert.rejects(migrate(pool, migDir), /Applying migration 3_broken: .*no_such_function/);
    const { rows } = await pool.query("SELECT to_regclass('t3') AS t");
    assert.equal(rows[0].t, null, 'the half-applied table was rolled back');
    fs.rmSync(path.join(migDir, '003_broken.sql'));
  });

  it('refuses to run when an applied migration was changed', async () => {
    fs.writeFileSync(path.join(migDir, '001_first.sql'), 'CREATE TABLE t1 (id bigint);');
    await assert.rejects(migrate(pool, migDir), (err: unknown) => {
      assert.ok(err instanceof GwError);
      assert.equal(err.code, 'GW_DB_MIGRATION_CHANGED');
      assert.match(err.message, /migration 1_first/);
      return true;
    });
  });

  it('refuses to run an older release on a schema a newer release migrated', async () => {
    fs.writeFileSync(path.join(migDir, '001_first.sql'), 'CREATE TABLE t1 (id int);');
    fs.writeFileSync(path.join(migDir, '004_newer.sql'), 'CREATE TABLE t4 (id int);');
    assert.deepEqual(await migrate(pool, migDir), [4]);
    fs.rmSync(path.join(migDir, '004_newer.sql'));
    await assert.rejects(migrate(pool, migDir), (err: unknown) => {
      assert.ok(err instanceof GwError);
      assert.equal(err.code, 'GW_DB_SCHEMA_NEWER');
      assert.match(err.message, /version 4 applied by a newer release/);
      return true;
    });
  });

  it('rejects two files with the same version', () => {
    fs.writeFileSync(path.join(migDir, '002_again.sql'), 'SELECT 1;');
    assert.throws(() => readMigrations(migDir), /share version 2/);
  });

  it('the shipped migrations have unique, ordered versions', () => {
    const versions = readMigrations().map((m) => m.version);
    assert.ok(versions.length >= 1);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
  });
});
