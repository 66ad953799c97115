/**
 * The whole service (`server/main.ts`, in a child process so a crash shows as an exit) under an
 * MQTT flood while PostgreSQL drops its connections: backends are killed with
 * pg_terminate_backend several times during the flood, and once the database also stays
 * unreachable for a while (the TCP proxy in front of it refuses new connections), so /healthz
 * must say so. The service must live through all of it, the pool must heal, and every event
 * the broker acknowledged (PUBACK, QoS 1) must be stored exactly once and processed by the
 * clue pipeline. Real PostgreSQL only: PGlite serves every connection from one session and has
 * no backends to terminate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { CuttableProxy } from './db-proxy.js';
import { waitFor, wireEvent } from './mqtt-kafka-support.js';
import { startService, type Service } from '../faults/helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 20;
const PER_DEVICE = 100;
const TOTAL = DEVICES * PER_DEVICE;
/** Publishes in flight per device connection. */
const WINDOW = 10;
/** Share of the flood acknowledged at which backends are terminated; at OUTAGE_AT the database also stays away. */
const TERMINATE_AT = [0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9];
const OUTAGE_AT = 0.6;
const TERMINATE = `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()`;

async function healthz(url: string): Promise<{ status: number; db?: string; ingest?: string; down: string[] }> {
  const res = await fetch(`${url}/healthz`);
  const body = (await res.json()) as { components: Record<string, { status: string }> };
  const down = Object.entries(body.components).filter(([, c]) => c.status !== 'ok' && c.status !== 'off').map(([name]) => name);
  return { status: res.status, db: body.components.db?.status, ingest: body.components.ingest?.status, down };
}

/**
 * /healthz once every component is back: the outbound dispatcher backs off for up to 30 s after
 * the database failed it, so the whole report may lag the pool; wait up to a minute.
 */
async function healedHealthz(url: string): Promise<Awaited<ReturnType<typeof healthz>> & { lagging: string[] }> {
  const first = await healthz(url);
  let h = first;
  for (const until = Date.now() + 60_000; h.status !== 200 && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 1000));
    h = await healthz(url);
  }
  return { ...h, lagging: first.down };
}

test(
  'the service survives terminated backends under an MQTT flood; /healthz shows the outage; every acknowledged event is stored once and processed',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): PGlite has no backends to terminate', timeout: 240_000 },
  async (t) => {
    const db = await getTestDb();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-terminated-'));
    const target = new URL(db.connectionString);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const clients: mqtt.MqttClient[] = [];
    let service: Service | undefined;
    let sampling = true;
    let sampler: Promise<void> | undefined;
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const tokens = new Map<string, string>();
      for (let d = 0; d < DEVICES; d++) {
        const id = `flood-${String(d).padStart(2, '0')}`;
        tokens.set(id, (await registry.register({ id, kind: 'gas-sensor' })).token);
      }

      await proxy.listen();
      const proxied = new URL(db.connectionString);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      service = await startService(proxied.toString(), dataDir);
      const svc = service;
      const died = svc.exited.then((code) => {
        throw new Error(`the service died (exit ${code}):\n${svc.stderr.slice(-15).join('\n')}`);
      });
      died.catch(() => undefined);

      // /healthz, sampled for the whole flood.
      const health = { samples: 0, dbDown: 0, ingestDown: 0, failed: 0 };
      sampler = (async () => {
        while (sampling) {
          try {
            const h = await healthz(svc.url);
            health.samples++;
            if (h.db === 'down') health.dbDown++;
            if (h.ingest === 'down') health.ingestDown++;
          } catch {
            health.failed++;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      // Terminations, run at set shares of the flood while its publishes are in flight; new
      // publishes wait for a round to finish, so every round happens mid-flood.
      const rounds: { at: number; terminated: number }[] = [];
      let outage: { dbDownSeen: boolean } | undefined;
      let acked = 0;
      let gate: Promise<void> = Promise.resolve();
      const pending = [...TERMINATE_AT];
      const onAck = () => {
        acked++;
        if (pending.length && acked >= pending[0]! * TOTAL) {
          const at = pending.shift()!;
          gate = gate.then(async () => {
            if (at === OUTAGE_AT) {
              // The database goes away: backends are terminated, and the proxy drops every
              // connection and refuses new ones until restored.
              const { rows } = await db.pool.query<{ n: number }>(TERMINATE);
              proxy.cut();
              rounds.push({ at, terminated: rows[0]!.n });
              const seen = await waitFor('/healthz to report the database down', async () => (await healthz(svc.url)).db === 'down', 20_000).catch(() => false);
              outage = { dbDownSeen: seen === true };
              await proxy.listen();
              return;
            }
            const { rows } = await db.pool.query<{ n: number }>(TERMINATE);
            rounds.push({ at, terminated: rows[0]!.n });
          });
        }
      };

      // The flood: each device on its own connection, QoS 1, WINDOW publishes in flight; a
      // publish counts as acknowledged when its PUBACK arrives (mqtt.js redelivers until then).
      const ackedIds = new Set<string>();
      const flood = Promise.all(
        [...tokens].map(async ([id, token]) => {
          const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${svc.mqttPort}`, {
            username: id,
            password: token,
            clientId: `t-${id}`,
            reconnectPeriod: 200,
            connectTimeout: 30_000,
          });
          clients.push(client);
          let next = 0;
          const lane = async () => {
            while (next < PER_DEVICE) {
              const n = next++;
              await gate;
              const eventId = `${id}-${n}`;
              const payload = JSON.stringify({ ...wireEvent('gas-sensor', id, n), eventId });
              await client.publishAsync(`devices/gas-sensor/${id}/events`, payload, { qos: 1 });
              ackedIds.add(eventId);
              onAck();
            }
          };
          await Promise.all(Array.from({ length: WINDOW }, lane));
        }),
      );
      await Promise.race([flood, died]);
      await Promise.race([gate, died]);
      t.diagnostic(`flood: ${TOTAL} published, ${ackedIds.size} acknowledged (PUBACK)`);
      t.diagnostic(`terminations: ${rounds.map((r) => `${Math.round(r.at * 100)}%→${r.terminated} backends`).join(', ')}`);

      const counts = async () =>
        (
          await db.pool.query<{ stored: number; distinct: number; processed: number; acked: number }>(
            `SELECT count(*)::int AS stored,
                    count(DISTINCT (device_id, event_id))::int AS distinct,
                    count(*) FILTER (WHERE pipeline_error IS NULL AND NOT EXISTS (SELECT 1 FROM pipeline_pending p WHERE p.event_pk = device_events.id))::int AS processed,
                    count(*) FILTER (WHERE event_id = ANY($1))::int AS acked
               FROM device_events WHERE device_id LIKE 'flood-%'`,
            [[...ackedIds]],
          )
        ).rows[0]!;
      // Batches whose pipeline hand-off was cut off are retried by the pipeline itself.
      await Promise.race([waitFor('every stored event to be processed', async () => {
        const c = await counts();
        return c.processed === c.stored && c.acked === ackedIds.size;
      }, 120_000).catch(() => undefined), died]);
      const final = await counts();
      const after = await healedHealthz(svc.url);
      sampling = false;
      await sampler;
      t.diagnostic(
        `stored ${final.stored} (${final.distinct} distinct), acknowledged and stored ${final.acked}, processed ${final.processed}; ` +
          `/healthz: ${health.samples} samples, db down in ${health.dbDown}, ingest down in ${health.ingestDown}, ${health.failed} unanswered; ` +
          `after: ${after.status} db ${after.db}${after.lagging.length ? ` (first still down: ${after.lagging.join(', ')})` : ''}`,
      );

      assert.equal(svc.child.exitCode, null, 'the service is still running');
      assert.equal(svc.child.signalCode, null, 'the service is still running');
      assert.equal(rounds.length, TERMINATE_AT.length, 'every termination round ran during the flood');
      assert.ok(rounds.every((r) => r.terminated > 0), 'each round terminated at least one backend of the service');
      assert.equal(outage?.dbDownSeen, true, '/healthz reported the database down while it was unreachable');
      assert.equal(ackedIds.size, TOTAL, 'every publish was acknowledged in the end');
      assert.equal(final.acked, ackedIds.size, 'every acknowledged event is stored');
      assert.equal(final.stored, final.distinct, 'no event is stored twice');
      assert.equal(final.processed, final.stored, 'the clue pipeline processed every stored event');
      assert.deepEqual({ status: after.status, db: after.db, ingest: after.ingest }, { status: 200, db: 'ok', ingest: 'ok' }, `the pool healed: /healthz is ok again (down: ${after.down.join(', ')})`);
      assert.ok(!svc.stdout.some((l) => /secretKey|processID/.test(l)), 'no log line carries a pg client (backend pid, cancel key)');
    } finally {
      sampling = false;
      await sampler;
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      if (service && service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        const timer = setTimeout(() => service!.child.kill('SIGKILL'), 15_000);
        await service.exited;
        clearTimeout(timer);
      }
      await proxy.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
