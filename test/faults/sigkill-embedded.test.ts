/**
 * Fault: `npm start`'s own database. On the embedded backend PGlite runs inside the service, so
 * "the database goes away" cannot happen apart from the process: the fault is the process dying
 * (README, fault tests). The service child runs on embedded PGlite under DATA_DIR and is killed
 * with SIGKILL mid-flood over its embedded MQTT broker. Then the database files are opened again:
 * every reading the service acknowledged (PUBACK, sent after commit) must be there, the stale lock
 * of the dead process must not keep the next start out, and after a restart and the devices'
 * resend of what was not acknowledged, every event is stored exactly once and processed (the
 * pipeline's work list recovers the batch cut off by the kill), with no duplicate clue.
 * The real-PostgreSQL counterpart is sigkill-restart.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type mqtt from 'mqtt';
import pino from 'pino';
import { loadConfig } from '../../core/config.js';
import { openDatabase } from '../../db/database.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { startGridwatch } from '../../server/runtime.js';
import { waitFor } from '../ingest/mqtt-kafka-support.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { publish } from './helpers/gas-flood.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 10;
const PER_DEVICE = 100;
const TOTAL = DEVICES * PER_DEVICE;
/** Share of the flood acknowledged when the service is killed. */
const KILL_AT = 0.4;
const quiet = pino({ level: 'silent' });

/** The whole service in this process on the embedded database under `dataDir`. */
const inProcess = (dataDir: string) =>
  startGridwatch(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DEMO: '0', SIMULATORS: '0', LOG_LEVEL: 'silent' }), quiet);

test(
  'embedded PGlite: SIGKILL mid-batch over MQTT keeps every acknowledged event; after a restart every event is stored once and processed, no duplicate clue',
  { skip: REAL_PG && 'the embedded database only (real PostgreSQL: sigkill-restart.test.ts)', timeout: 240_000 },
  async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-sigkill-embedded-'));
    let service: Service | undefined;
    const clients: mqtt.MqttClient[] = [];
    try {
      // The devices, registered in the embedded database (migrated by a first start).
      const setup = await inProcess(dataDir);
      const tokens = new Map<string, string>();
      const registry = new DeviceRegistry(setup.db.pool);
      for (let d = 0; d < DEVICES; d++) {
        const id = `emb-${String(d).padStart(2, '0')}`;
        tokens.set(id, (await registry.register({ id, kind: 'gas-sensor' })).token);
      }
      await setup.close();
      const all = new Map([...tokens.keys()].map((id) => [id, Array.from({ length: PER_DEVICE }, (_, n) => n)]));
      const acked = new Set<string>();

      // Phase 1: flood the service child, and SIGKILL it once KILL_AT of the flood is acknowledged.
      service = await startService('', dataDir);
      const first = service;
      assert.ok(first.mqttPort, 'the child runs its embedded broker');
      let killed = false;
      const killer = waitFor('the kill point', () => acked.size >= KILL_AT * TOTAL || undefined, 120_000).then(() => {
        killed = true;
        first.child.kill('SIGKILL');
      });
      clients.push(...(await publish(first.mqttPort, tokens, all, acked, () => killed, 'a')));
      await killer;
      assert.equal(await first.exited, 'SIGKILL');
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
      const ackedBeforeKill = [...acked];

      // The files as the kill left them: every acknowledged reading is in them.
      const afterKill = await openDatabase({ dataDir, log: quiet });
      const stored = new Set(
        (await afterKill.pool.query<{ k: string }>("SELECT event_id AS k FROM device_events WHERE device_id LIKE 'emb-%'")).rows.map((r) => r.k),
      );
      await afterKill.close();
      t.diagnostic(`killed at ${ackedBeforeKill.length} acknowledged, ${stored.size} stored`);
      assert.deepEqual(ackedBeforeKill.filter((k) => !stored.has(k)), [], 'every event acknowledged before the kill survived it');

      // Phase 2: restart on the same DATA_DIR; the devices send what was not acknowledged.
      service = await startService('', dataDir);
      const rest = new Map([...all].map(([id, ns]) => [id, ns.filter((n) => !acked.has(`${id}-${n}`))]));
      clients.push(...(await publish(service.mqttPort!, tokens, rest, acked, () => false, 'b')));
      assert.equal(acked.size, TOTAL, 'every reading was acknowledged in the end');
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
      await stopService(service);
      service = undefined;

      // The final count, with the service running in this process (it finishes any pipeline work left).
      const gw = await inProcess(dataDir);
      try {
        const final = await settledCounts(gw.db.pool, 'emb-%', TOTAL);
        const dupes = await duplicateOpenClues(gw.db.pool);
        t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}`);
        assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
        assert.equal(final.stored, final.distinct, 'no event stored twice');
        assert.equal(final.processed, final.stored, 'the pipeline processed every stored event, including the batch cut off by the kill');
        assert.deepEqual(dupes, [], 'no problem has two open clues');
        assert.equal(final.dead, 0, 'nothing was dead-lettered');
      } finally {
        await gw.close();
      }
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await stopService(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
