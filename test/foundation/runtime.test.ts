import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { GwError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { startGridwatch } from '../../server/runtime.js';
import { createUser } from '../../server/auth/users.js';
import { api } from '../helpers/app.js';

describe('embedded runtime', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-runtime-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, DEMO: '0' });
  const log = createLogger('silent');
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves /healthz with db ok, keeps data across restarts, and refuses a second process on the same DATA_DIR', async () => {
    const first = await startGridwatch(config, log);
    try {
      const r = await api(`${first.url}/healthz`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.components.db.status, 'ok');
      assert.equal(r.body.components.db.detail.backend, 'embedded');
      await createUser(first.db.pool, { username: 'keeper', password: 'kept-across-restarts', displayName: 'k', role: 'planner', scopes: [], unitId: null });
      await assert.rejects(startGridwatch(config, log), (err: unknown) => err instanceof GwError && err.code === 'GW_DB_LOCKED');
    } finally {
      await first.close();
    }
    const second = await startGridwatch(config, log);
    try {
      const r = await api(`${second.url}/api/v1/auth/login`, { body: { username: 'keeper', password: 'kept-across-restarts' } });
      assert.equal(r.status, 200, 'the user created before the restart can log in');
      assert.ok(fs.existsSync(path.join(dataDir, 'pgdata')), 'data lives under DATA_DIR');
    } finally {
      await second.close();
    }
  });
});
