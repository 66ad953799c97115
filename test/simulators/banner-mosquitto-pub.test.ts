/**
 * The start-up banner's `mosquitto_pub` line, used as a newcomer uses it: the real service
 * (`server/main.ts` as a child process, demo mode, free ports, a temporary DATA_DIR) prints it,
 * a real shell runs it with the real mosquitto_pub against the service's embedded broker, and
 * the service must have stored the event. Wrong credentials, topic or payload in the banner
 * fail here: mosquitto_pub's QoS 1 publish is refused, or the event is dead-lettered.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseIngestCounts } from '../../simulators/service-counts.js';
import { startService, stopService, type Service } from '../faults/helpers/service.js';
import { api } from '../helpers/app.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { waitFor } from '../ingest/mqtt-kafka-support.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-banner-'));
let service: Service | undefined;

after(async () => {
  await stopService(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The service's database: the suite's real PostGIS (emptied) under DATABASE_URL, else the service's own PGlite. */
async function databaseUrl(): Promise<string> {
  if (process.env.GW_TEST_DB_BACKEND !== 'postgres') return '';
  const db = await getTestDb();
  await resetDb(db.pool);
  await db.close();
  return db.connectionString;
}

test('the banner’s mosquitto_pub line, run in a shell, stores a demo gas sensor’s event', async () => {
  service = await startService(await databaseUrl(), dataDir, { DEMO: '1', SIMULATORS: '0' });
  const s = service;
  const line = await waitFor('the banner’s mosquitto_pub line', async () => s.stdout.find((l) => l.trimStart().startsWith('mosquitto_pub ')) ?? null, 60_000);
  const login = s.stdout.map((l) => /^\s+admin\s+(\S+) \/ (\S+)/.exec(l)).find(Boolean);
  assert.ok(login, `the banner lists the demo administrator:\n${s.stdout.join('\n')}`);
  const deviceId = /-u (\S+)/.exec(line)?.[1];
  assert.ok(deviceId, line);
  assert.ok(line.includes(`-p ${s.mqttPort} `), `the line names the embedded broker's port ${s.mqttPort}: ${line}`);

  const pub = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile('/bin/sh', ['-c', line], { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
  );
  assert.equal(pub.code, 0, `mosquitto_pub failed: ${pub.out}`);

  // The service's own counters: one MQTT event accepted, nothing dead-lettered.
  const counts = parseIngestCounts(await (await fetch(`${s.url}/metrics`)).text(), 'mqtt');
  assert.deepEqual(counts, { accepted: 1, duplicate: 0, deadLetters: {} });
  // And the device has reported at the banner's position.
  const token = (await api(`${s.url}/api/v1/auth/login`, { body: { username: login[1], password: login[2] } })).body.token as string;
  const device = await api(`${s.url}/api/v1/devices/${deviceId}`, { token });
  assert.equal(device.status, 200);
  assert.equal(device.body.kind, 'gas-sensor');
  assert.ok(device.body.lastSeenAt, 'the device was seen');
  assert.deepEqual(device.body.lastPosition, { lon: 121.55, lat: 29.87 });
});
