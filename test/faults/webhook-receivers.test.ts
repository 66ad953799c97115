/**
 * Fault (issue 13): a webhook receiver that is slow or down does not slow the pipeline. The whole
 * service runs as a child (demo city and devices, no simulators) with three webhooks registered
 * through the admin API: a healthy receiver, one that accepts each request and never answers
 * (WEBHOOK_TIMEOUT_MS is set far beyond the test, so it holds its first request throughout), and
 * one whose port is closed (WEBHOOK_MAX_ATTEMPTS=3, so it gives events up). Demo gas sensors
 * publish a burst of alarms over MQTT that open one clue each and update it.
 *
 * The pipeline must finish the whole burst while the hanging receiver is still holding its first
 * request: the receiver is shown to hold it before the burst starts, and to hold that same one
 * (one connection, still open) when the service's counts are complete. Then: sent = stored +
 * dead-lettered, nothing stored twice, everything processed, no problem with two open clues,
 * each clue's timeline has an entry for every alert and one outbox event per change; the
 * healthy receiver got every outbox event up to its cursor in order, exactly once, correctly
 * signed; the down one shows failed attempts and the events it gave up on after three. Last,
 * the service is stopped while the hanging request is still open: it stops gracefully (the
 * request is cut short and counts as no attempt) instead of waiting out the webhook timeout.
 *
 * Both backends: on real PostgreSQL the service shares the test's database; on the embedded one
 * the service keeps its own under DATA_DIR, live progress is read over HTTP, and the database
 * is opened here once the service has stopped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeatureCollection, Geometry } from 'geojson';
import mqtt from 'mqtt';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../../db/embedded.js';
import type { DemoDevice } from '../../ingest/demo-devices.js';
import { planDemoFleet } from '../../simulators/fleet-plan.js';
import { api } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { freePort, waitFor } from '../ingest/mqtt-kafka-support.js';
import { signatureValid, startHangingReceiver, startReceiver, type Received } from '../outbound/fixtures.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 6;
/** Each cycle of ten readings is one leak episode: low, high, critical, then quiet again. */
const CYCLES = 4;
/** The last reading of a device is its last critical alarm, so its processing shows in the counts. */
const PER_DEVICE = CYCLES * 10 - 3;
const TOTAL = DEVICES * PER_DEVICE;
/** Alerts per device: three per episode (each level up alerts; a new episode starts at low). */
const ALERTS = 3 * CYCLES;
/** Readings of the first device sent before the burst: the fifth opens its clue. */
const WARM_UP = 5;
const ZONES = new URL('../../geo/demo/data/zones.geojson', import.meta.url);

/** %LEL of reading `n`: 12 (low), 30 (high), 60 (critical) at 4, 5, 6 of each ten; 2 otherwise. */
function lel(n: number): number {
  return ({ 4: 12, 5: 30, 6: 60 } as Record<number, number>)[n % 10] ?? 2;
}

/** The sum of a labelled series in Prometheus text, over the lines whose labels include every one of `labels`. */
function metricSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\}\s+(\S+)$/.exec(line.trim());
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

interface Hook {
  id: string;
  secret: string;
}

test(
  'a hanging and a down webhook receiver do not slow the pipeline: counts complete while the hanging one holds its first request',
  { timeout: 900_000 },
  async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-webhook-fault-'));
    // For the diagnostics only (where the time goes on a loaded machine); nothing asserts on it.
    const t0 = Date.now();
    const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    const healthy = await startReceiver();
    const hanging = await startHangingReceiver();
    const downUrl = `http://127.0.0.1:${await freePort()}/down`;
    const clients: mqtt.MqttClient[] = [];
    let testDb: TestDb | undefined;
    let embedded: EmbeddedServer | undefined;
    let embeddedPool: pg.Pool | undefined;
    let service: Service | undefined;
    try {
      if (REAL_PG) {
        testDb = await getTestDb();
        await resetDb(testDb.pool);
      }
      service = await startService(testDb?.connectionString ?? '', dataDir, {
        DEMO: '1',
        SIMULATORS: '0',
        // Far beyond this test: the hanging receiver's first request is never timed out here.
        WEBHOOK_TIMEOUT_MS: '3600000',
        WEBHOOK_MAX_ATTEMPTS: '3',
      });
      const url = service.url;
      t.diagnostic(`${at()}: the service is up`);

      const logins = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { username: string; password: string; role: string }[];
      const adminLogin = logins.find((l) => l.role === 'admin')!;
      const login = await api(`${url}/api/v1/auth/login`, { body: { username: adminLogin.username, password: adminLogin.password } });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const admin = login.body.token as string;
      const register = async (target: string, description: string): Promise<Hook> => {
        const r = await api(`${url}/api/v1/webhooks`, { token: admin, body: { url: target, description } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return { id: r.body.id, secret: r.body.secret };
      };
      const good = await register(healthy.url, 'healthy');
      const slow = await register(hanging.url, 'hangs');
      const down = await register(downUrl, 'port closed');
      const webhooks = async () => (await api(`${url}/api/v1/webhooks`, { token: admin })).body.webhooks as { id: string; delivery: { lastEventId: number; attempts: number; lastError: string | null; delivered: number; failed: number } }[];

      const gas = (JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-devices.json'), 'utf8')) as DemoDevice[]).filter((d) => d.kind === 'gas-sensor').slice(0, DEVICES);
      assert.equal(gas.length, DEVICES, 'the demo has enough gas sensors');
      const zones = JSON.parse(fs.readFileSync(ZONES, 'utf8')) as FeatureCollection<Geometry>;
      const home = new Map(planDemoFleet(gas, zones).map((p) => [p.deviceId, p.home]));
      const mqttPort = (await api(`${url}/healthz`)).body.components.mqtt.detail.port as number;

      // One client per sensor, readings in order, each acknowledged (stored) before the next.
      const lastTs = new Map<string, number>();
      const reading = (id: string, n: number) => {
        const ts = Math.max(Date.now(), (lastTs.get(id) ?? 0) + 1);
        lastTs.set(id, ts);
        const [lon, lat] = home.get(id)!;
        return JSON.stringify({ eventId: `wh-${id}-${n}`, deviceId: id, kind: 'gas-sensor', ts: new Date(ts).toISOString(), position: { lon, lat, crs: 'wgs84', accuracyM: 5 }, lelPct: lel(n), batteryPct: 80 });
      };
      for (const d of gas) {
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: d.id, password: d.token, clientId: `wh-${process.pid}-${d.id}`, reconnectPeriod: 0 });
        client.on('error', () => undefined);
        clients.push(client);
      }
      const send = async (i: number, from: number, to: number) => {
        for (let n = from; n < to; n++) await clients[i]!.publishAsync(`devices/gas-sensor/${gas[i]!.id}/events`, reading(gas[i]!.id, n), { qos: 1 });
      };

      // The first clue opens; the hanging receiver then holds the request carrying its event.
      await send(0, 0, WARM_UP);
      await waitFor('the hanging receiver to hold a request', () => hanging.requests >= 1, 120_000);
      t.diagnostic(`${at()}: before the burst: hanging receiver ${hanging.connections} connection(s), ${hanging.requests} request(s), ${hanging.open} open`);

      await Promise.all(gas.map((_, i) => send(i, i === 0 ? WARM_UP : 0, PER_DEVICE)));

      // The service's own counts: every reading stored, every alert on its clue.
      const burstDone = await waitFor(
        'the service to have stored every reading and put every alert on its clue',
        async () => {
          const metrics = await (await fetch(`${url}/metrics`)).text();
          const accepted = metricSum(metrics, 'gridwatch_ingest_events_total', { transport: 'mqtt', outcome: 'accepted' });
          const list = (await api(`${url}/api/v1/clues?limit=1000&kind=gas-sensor`, { token: admin })).body.clues as { code: string; alertType: string; assetKey: string; alertCount: number }[];
          const ours = list.filter((c) => c.alertType === 'gas.leak' && gas.some((d) => d.id === c.assetKey));
          const alerts = ours.reduce((a, c) => a + c.alertCount, 0);
          if (accepted < TOTAL || ours.length < DEVICES || alerts < DEVICES * ALERTS) return undefined;
          // Read at once, at the moment the pipeline's counts are complete.
          return { accepted, clues: ours, alerts, hanging: { connections: hanging.connections, requests: hanging.requests, open: hanging.open } };
        },
        300_000,
      );
      t.diagnostic(`${at()}: burst done: ${burstDone.accepted} stored, ${burstDone.clues.length} clues, ${burstDone.alerts} alerts; hanging receiver ${JSON.stringify(burstDone.hanging)}`);
      assert.equal(burstDone.accepted, TOTAL, 'every reading stored once');
      assert.equal(burstDone.clues.length, DEVICES, 'one clue per sensor');
      assert.deepEqual(burstDone.clues.map((c) => c.alertCount), gas.map(() => ALERTS), 'every alert on its clue');
      assert.deepEqual(burstDone.hanging, { connections: 1, requests: 1, open: 1 }, 'the pipeline finished while the hanging receiver still held its first request');
      const slowState = (await webhooks()).find((w) => w.id === slow.id)!.delivery;
      assert.deepEqual([slowState.lastEventId, slowState.delivered, slowState.attempts], [0, 0, 0], 'nothing reached, nor failed on, the hanging receiver yet');

      // The healthy receiver catches up: the latest event of each clue carries its final count.
      await waitFor(
        'the healthy receiver to have each clue at its final alert count',
        () => burstDone.clues.every((c) => healthy.accepted.some((r) => r.body.clueCode === c.code && (r.body.payload.clue as { alertCount?: number } | undefined)?.alertCount === ALERTS)),
        120_000,
      );
      // The closed port: failed attempts with back-off, then an event given up after three.
      const failures = await waitFor(
        'the down webhook to give an event up',
        async () => {
          const r = await api(`${url}/api/v1/webhooks/${down.id}/failures`, { token: admin });
          return r.status === 200 && r.body.failures.length > 0 ? (r.body.failures as { eventId: number; attempts: number; lastError: string }[]) : undefined;
        },
        120_000,
      );
      const downState = (await webhooks()).find((w) => w.id === down.id)!.delivery;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const failedAttempts = metricSum(metrics, 'gridwatch_outbound_failed_attempts_total', { target: `webhook:${down.id}` });
      const givenUp = metricSum(metrics, 'gridwatch_outbound_given_up_total', { target: `webhook:${down.id}` });
      t.diagnostic(`${at()}: down webhook: ${JSON.stringify(downState)}; ${failedAttempts} failed attempts, ${givenUp} given up; first failure ${JSON.stringify(failures.at(-1))}`);
      for (const f of failures) {
        assert.equal(f.attempts, 3, 'given up after WEBHOOK_MAX_ATTEMPTS attempts');
        assert.match(f.lastError, /ECONNREFUSED/);
      }
      assert.equal(downState.delivered, 0);
      assert.ok(downState.failed >= 1, 'the API counts the events given up on');
      assert.ok(givenUp >= failures.length && failedAttempts >= 3 * givenUp, `each event given up after three failed attempts (${failedAttempts} failed, ${givenUp} given up)`);

      // The hanging receiver still holds that first request when the service is stopped: shutdown
      // cuts it short instead of waiting out WEBHOOK_TIMEOUT_MS, so the stop is graceful (exit 0,
      // not the shutdown timeout's exit 1 nor the helper's SIGKILL).
      assert.deepEqual([hanging.connections, hanging.open], [1, 1], 'the hanging request is still held, never timed out or repeated');
      for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
      await stopService(service);
      const exit = await service.exited;
      assert.equal(exit, '0', `the service stopped gracefully with a webhook request under way:\n${service.stderr.slice(-5).join('\n')}`);
      await waitFor('the hanging request to be closed', () => hanging.open === 0, 10_000);

      // The service's database, now that the service has stopped.
      let pool: pg.Pool;
      if (testDb) pool = testDb.pool;
      else {
        embedded = await startEmbeddedServer(dataDir, 1);
        pool = embeddedPool = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
      }
      const final = await settledCounts(pool, 'gas-%', TOTAL);
      t.diagnostic(`${at()}: sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}; service exit ${exit}`);
      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.dead, 0, 'none of these readings is malformed');
      assert.equal(final.stored, final.distinct, 'no event stored twice');
      assert.equal(final.processed, final.stored, 'every stored event processed by the clue pipeline');
      assert.deepEqual(await duplicateOpenClues(pool), [], 'no problem has two open clues');
      const { rows: slowTarget } = await pool.query<{ last_id: string; attempts: number }>(`SELECT last_id::text, attempts FROM outbound_targets WHERE target = $1`, [`webhook:${slow.id}`]);
      assert.deepEqual(slowTarget, [{ last_id: '0', attempts: 0 }], 'the request cut short by shutdown counts as no attempt: the event goes again');

      // Each clue's record: an entry for every alert, numbered without a gap, one outbox event per change.
      const { rows: record } = await pool.query<{ code: string; alert_count: number; alerts: number; entries: number; max_seq: number; created: number; outbox_alerts: number }>(
        `SELECT c.code, c.alert_count,
                (SELECT count(*)::int FROM clue_timeline t WHERE t.clue_id = c.id AND t.action IN ('opened', 'alert')) AS alerts,
                (SELECT count(*)::int FROM clue_timeline t WHERE t.clue_id = c.id) AS entries,
                (SELECT max(seq)::int FROM clue_timeline t WHERE t.clue_id = c.id) AS max_seq,
                (SELECT count(*)::int FROM clue_outbox o WHERE o.clue_id = c.id AND o.change = 'created') AS created,
                (SELECT coalesce(sum(jsonb_array_length(coalesce(o.payload->'alerts', '[]'::jsonb))), 0)::int FROM clue_outbox o WHERE o.clue_id = c.id) AS outbox_alerts
           FROM clues c WHERE c.alert_type = 'gas.leak' ORDER BY c.code`,
      );
      assert.equal(record.length, DEVICES);
      for (const r of record) {
        assert.deepEqual(
          { code: r.code, alertCount: r.alert_count, timelineAlerts: r.alerts, seq: r.max_seq, created: r.created, outboxAlerts: r.outbox_alerts },
          { code: r.code, alertCount: ALERTS, timelineAlerts: ALERTS, seq: r.entries, created: 1, outboxAlerts: ALERTS },
          `the record of clue ${r.code} is complete`,
        );
      }

      // The healthy receiver: every outbox event up to its cursor, in order, once, signed.
      const { rows: cursor } = await pool.query<{ last_id: string }>(`SELECT last_id::text FROM outbound_targets WHERE target = $1`, [`webhook:${good.id}`]);
      const healthyUpTo = Number(cursor[0]!.last_id);
      const { rows: outbox } = await pool.query<{ id: string; clue_code: string; change: string }>(`SELECT id, clue_code, change FROM clue_outbox WHERE id <= $1 ORDER BY id`, [healthyUpTo]);
      const { rows: burst } = await pool.query<{ last: string }>(`SELECT max(o.id)::text AS last FROM clue_outbox o JOIN clues c ON c.id = o.clue_id WHERE c.alert_type = 'gas.leak'`);
      assert.ok(healthyUpTo >= Number(burst[0]!.last), 'the healthy receiver is past the last event of the burst');
      const got = healthy.accepted.map((r: Received) => ({ id: r.body.eventId, clue: r.body.clueCode, change: r.body.change }));
      assert.deepEqual(got, outbox.map((o) => ({ id: Number(o.id), clue: o.clue_code, change: o.change })), 'every outbox event, in order, exactly once');
      assert.equal(healthy.requests, healthy.accepted.length, 'no request was repeated');
      assert.ok(healthy.accepted.every((r) => signatureValid(good.secret, r)), 'every signature checks out');
      assert.ok(healthy.accepted.every((r) => r.headers['x-gridwatch-attempt'] === '1'), 'every event reached the healthy receiver at the first attempt');
    } finally {
      for (const c of clients) await c.endAsync(true).catch(() => undefined);
      await hanging.close();
      await stopService(service);
      await healthy.close();
      await embeddedPool?.end();
      await embedded?.stop();
      await testDb?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
