import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../core/config.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('configuration', () => {
  it('applies documented defaults and demo mode without DATABASE_URL', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 8080);
    assert.equal(c.MQTT_PORT, 1883);
    assert.equal(c.DATA_DIR, './data');
    assert.equal(c.LOG_LEVEL, 'info');
    assert.equal(c.demo, true);
    assert.equal(c.DATABASE_URL, undefined);
  });

  it('turns demo off with DATABASE_URL unless DEMO=1', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).demo, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@h/db', DEMO: '1' }).demo, true);
    assert.equal(loadConfig({ DEMO: '0' }).demo, false);
  });

  it('names every bad variable and what is wrong with it', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'a b', LOG_LEVEL: 'loud' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.message;
        for (const key of ['PORT="eighty"', 'DATABASE_URL="mysql://x"', 'KAFKA_BROKERS="a b"', 'LOG_LEVEL="loud"']) {
          assert.ok(text.includes(key), `message should name ${key}: ${text}`);
        }
        assert.equal(err.problems.length, 4);
        return true;
      },
    );
  });

  it('stops start-up with exit code 1 and a clear message, not a stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '99999', MQTT_PORT: 'x', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /Invalid configuration/);
    assert.match(r.stderr, /PORT="99999": /);
    assert.match(r.stderr, /MQTT_PORT="x": /);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  });
});
