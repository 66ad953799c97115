/**
 * Fault: the database goes away for 30 s and comes back, under the whole service. The service
 * child reaches PostgreSQL through a TCP proxy in the test process; mid-stream the proxy drops
 * every connection and every new one for 30 s. Devices keep publishing QoS 1 to the service's
 * embedded broker and resend what was not acknowledged. The service stays alive, /healthz says
 * the database is down and then ok again, and at the end sent = stored + dead-lettered, no event
 * is stored twice, every stored event is processed and no problem has two open clues. Real
 * PostgreSQL only (the service child needs a database it can share with the test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { CuttableProxy } from '../ingest/db-proxy.js';
import { waitFor, wireEvent } from '../ingest/mqtt-kafka-support.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 5;
const PER_DEVICE = 100;
const TOTAL = DEVICES * PER_DEVICE;
const WINDOW = 4;
const OUTAGE_MS = 30_000;

/** Reading `n` of a device: a gas leak alarm (LEL 32 %) every 20th reading, quiet otherwise. */
function reading(id: string, n: number): string {
  const e = { ...wireEvent('gas-sensor', id, n), eventId: `${id}-${n}`, position: { lon: 121.55 + Number(id.slice(-2)) / 1000, lat: 29.87, crs: 'wgs84', accuracyM: 5 } };
  return JSON.stringify(n % 20 === 19 ? { ...e, lelPct: 32 } : e);
}

/** The database component's status on /healthz, or undefined when the service does not answer. */
async function dbHealth(url: string): Promise<string | undefined> {
  try {
    const body = (await (await fetch(`${url}/healthz`)).json()) as { components: Record<string, { status: string }> };
    return body.components.db?.status;
  } catch {
    return undefined;
  }
}

test(
  'the database goes away for 30 s and comes back: the service stays up, /healthz says down then ok, nothing lost or doubled',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): the service child reaches the database through a proxy the test cuts', timeout: 240_000 },
  async (t) => {
    const db = await getTestDb();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-db-outage-'));
    const target = new URL(db.connectionString);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const clients: mqtt.MqttClient[] = [];
    let service: Service | undefined;
    let stopped = false;
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const tokens: Record<string, string> = {};
      for (let d = 0; d < DEVICES; d++) {
        const id = `do-${String(d).padStart(2, '0')}`;
        tokens[id] = (await registry.register({ id, kind: 'gas-sensor' })).token;
      }
      await proxy.listen();
      const viaProxy = new URL(db.connectionString);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      service = await startService(viaProxy.toString(), dataDir);
      const svc = service;
      await waitFor('the database to be ok', async () => (await dbHealth(svc.url)) === 'ok' || undefined, 30_000);

      const stored = async () => (await db.pool.query<{ n: number }>("SELECT count(DISTINCT event_id)::int AS n FROM device_events WHERE device_id LIKE 'do-%'")).rows[0]!.n;
      const acked = new Set<string>();
      let outage: Promise<void> | undefined;
      const seen: string[] = [];
      const onAck = () => {
        if (outage || acked.size < 0.3 * TOTAL) return;
        outage = (async () => {
          proxy.cut();
          t.diagnostic(`database cut with ${acked.size} of ${TOTAL} acknowledged`);
          const until = Date.now() + OUTAGE_MS;
          // While it is away: the service answers, and says the database is down.
          await waitFor('/healthz to say the database is down', async () => {
            const s = await dbHealth(svc.url);
            if (s && seen.at(-1) !== s) seen.push(s);
            return s !== undefined && s !== 'ok' ? s : undefined;
          }, OUTAGE_MS);
          await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
          assert.equal(svc.child.exitCode, null, 'the service is still running after 30 s without its database');
          assert.equal(svc.child.signalCode, null);
          await proxy.listen();
          t.diagnostic(`database back with ${acked.size} acknowledged`);
          await waitFor('/healthz to say the database is ok again', async () => {
            const s = await dbHealth(svc.url);
            if (s && seen.at(-1) !== s) seen.push(s);
            return s === 'ok' || undefined;
          }, 90_000);
        })();
      };
      await Promise.all(
        Object.entries(tokens).map(async ([id, token]) => {
          const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${svc.mqttPort}`, {
            username: id, password: token, clientId: `do-dev-${process.pid}-${id}`, clean: false, reconnectPeriod: 500, connectTimeout: 30_000,
          });
          client.on('error', () => undefined);
          clients.push(client);
          let next = 0;
          const lane = async () => {
            while (next < PER_DEVICE && !stopped) {
              const n = next++;
              // Resent until acknowledged: mqtt.js keeps an unacknowledged QoS 1 publish across a reconnect.
              for (;;) {
                const ok = await client.publishAsync(`devices/gas-sensor/${id}/events`, reading(id, n), { qos: 1 }).then(() => true, () => false);
                if (ok || stopped) break;
                await new Promise((r) => setTimeout(r, 500));
              }
              acked.add(`${id}-${n}`);
              onAck();
            }
          };
          await Promise.all(Array.from({ length: WINDOW }, lane));
        }),
      );
      await outage;
      assert.ok(outage, 'the outage happened mid-stream');
      assert.deepEqual([seen.some((s) => s !== 'ok'), seen.at(-1)], [true, 'ok'], `/healthz went down then ok (${seen.join(' → ')})`);
      assert.equal(acked.size, TOTAL, 'every reading was acknowledged in the end');

      const final = await settledCounts(db.pool, 'do-%', TOTAL);
      const dupes = await duplicateOpenClues(db.pool);
      t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct, ${await stored()} by id), processed ${final.processed}, dead-lettered ${final.dead}; /healthz db: ${seen.join(' → ')}`);

      assert.equal(svc.child.exitCode, null, 'the service never exited');
      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.stored, final.distinct, 'no event stored twice');
      assert.equal(final.processed, final.stored, 'every stored event processed by the clue pipeline');
      assert.deepEqual(dupes, [], 'no problem has two open clues');
    } finally {
      stopped = true;
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await stopService(service);
      await proxy.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
