/**
 * Outbound clue events from the real service (`startGridwatch` with KAFKA_MOCK=1): device
 * events published over MQTT open and update a clue through the real pipeline, an operator
 * dispatches it, and each change reaches a webhook registered through the API, an MQTT
 * subscriber of the embedded broker and the `clue-events` topic of the mock cluster (read
 * with kcat). Shutdown stops the dispatcher cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createUser } from '../../server/auth/users.js';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { requireBinary, run, waitFor } from '../ingest/mqtt-kafka-support.js';
import { DEVICES, PLACES, TOWN_A, miniCatalogue, miniLayers } from '../pipeline/helpers/mini-city.js';
import { signatureValid, startReceiver } from './fixtures.js';

const KCAT = requireBinary('/usr/bin/kcat', 'kcat');
const SECRET = 'runtime-outbound-secret-0123456789';
const TEAM_A = `team-${TOWN_A.code}`;

let gw: Gridwatch;
let service: TestGridwatch | undefined;
let admin: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let subscriber: MqttClient;
const onMqtt: { topic: string; body: { eventId: number; clueCode: string; change: string } }[] = [];
let deviceToken: string;

before(async () => {
  service = await startTestGridwatch({ KAFKA_MOCK: '1' });
  gw = service.gw;
  await createUser(gw.db.pool, { username: 'out-admin', password: 'out-admin-secret', displayName: 'admin', role: 'admin', scopes: [], unitId: null });
  admin = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: 'out-admin', password: 'out-admin-secret' } })).body.token;
  for (const { layer, fc } of miniLayers()) assert.equal((await api(`${gw.url}/api/v1/geo/imports?layer=${layer}`, { token: admin, body: fc })).status, 201);
  assert.equal((await api(`${gw.url}/api/v1/catalogue/import?format=json`, { token: admin, body: miniCatalogue() })).status, 201);
  const gas = DEVICES.find((d) => d.id === 'gas-a')!;
  const device = await api(`${gw.url}/api/v1/devices`, { token: admin, body: { id: gas.id, kind: gas.kind, metadata: { ...gas.metadata, reportingIntervalS: 86_400 } } });
  assert.equal(device.status, 201, JSON.stringify(device.body));
  deviceToken = device.body.token;

  receiver = await startReceiver();
  assert.equal((await api(`${gw.url}/api/v1/webhooks`, { token: admin, body: { url: receiver.url, secret: SECRET } })).status, 201);
  const port = (await api(`${gw.url}/healthz`)).body.components.mqtt.detail.port;
  subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'out-admin', password: admin, clientId: 'reader/out-admin/outbound', reconnectPeriod: 0 });
  subscriber.on('message', (topic, payload) => onMqtt.push({ topic, body: JSON.parse(payload.toString()) }));
  await subscriber.subscribeAsync('clues/+/events', { qos: 1 });
});

after(async () => {
  await subscriber?.endAsync(true);
  await receiver?.close();
  await service?.close();
});

test('a clue opened, updated and dispatched through the service reaches the webhook, MQTT and Kafka, in order', async () => {
  const health = (await api(`${gw.url}/healthz`)).body;
  assert.equal(health.components.outbound.status, 'ok', JSON.stringify(health.components.outbound));

  const port = health.components.mqtt.detail.port;
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'gas-a', password: deviceToken, clientId: 'outbound-gas-a', reconnectPeriod: 0 });
  const t0 = Math.floor((Date.now() - 600_000) / 1000) * 1000;
  for (const [s, lelPct] of [[0, 2], [30, 12], [60, 30]] as const) {
    const event = { eventId: `gas-a-${s}`, deviceId: 'gas-a', kind: 'gas-sensor', ts: new Date(t0 + s * 1000).toISOString(), position: { ...PLACES.gas, crs: 'wgs84', accuracyM: 5 }, lelPct, batteryPct: 80 };
    await device.publishAsync('devices/gas-sensor/gas-a/events', JSON.stringify(event), { qos: 1 });
  }
  await device.endAsync();

  const opened = await waitFor('the webhook to hear of the gas clue opening and its upgrade', () => {
    const changes = receiver.accepted.map((r) => r.body.change);
    return changes.includes('created') && changes.includes('updated') ? receiver.accepted[0] : undefined;
  });
  const code = opened.body.clueCode;
  const clue = opened.body.payload.clue as { code: string; primaryUnitId: string };
  assert.equal(opened.body.change, 'created');
  assert.equal(clue.code, code);
  assert.equal(clue.primaryUnitId, TEAM_A);
  assert.ok(opened.body.unitIds.includes(TEAM_A) && opened.body.unitIds.includes('utility-gas'), `units told: ${opened.body.unitIds}`);

  const dispatched = await api(`${gw.url}/api/v1/clues/${encodeURIComponent(code)}/actions`, { token: admin, body: { type: 'dispatch' } });
  assert.equal(dispatched.status, 200, JSON.stringify(dispatched.body));
  await waitFor('the webhook to hear of the dispatch', () => receiver.accepted.some((r) => r.body.change === 'transitioned'));
  assert.deepEqual(receiver.accepted.map((r) => r.body.change), ['created', 'updated', 'transitioned']);
  const ids = receiver.accepted.map((r) => r.body.eventId);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.ok(receiver.accepted.every((r) => signatureValid(SECRET, r)));

  await waitFor('the MQTT reader to get each change on the team topic', () => onMqtt.filter((m) => m.topic === `clues/${TEAM_A}/events`).length >= 3);
  assert.deepEqual(onMqtt.filter((m) => m.topic === `clues/${TEAM_A}/events`).map((m) => m.body.eventId), ids);
  assert.ok(onMqtt.some((m) => m.topic === 'clues/utility-gas/events'), 'the gas utility is told too');

  const bootstrap = (await api(`${gw.url}/healthz`)).body.components.kafka.detail.bootstrap as string;
  const fromKafka = await waitFor('kcat to read the three changes from clue-events', async () => {
    const r = await run(KCAT, ['-C', '-b', bootstrap, '-t', 'clue-events', '-e', '-q', '-f', '%k\t%s\n']);
    const lines = r.stdout.split('\n').filter(Boolean);
    return lines.length >= 3 ? lines : undefined;
  });
  assert.deepEqual(fromKafka.map((l) => l.split('\t')[0]), [code, code, code], 'keyed by clue code');
  assert.deepEqual(fromKafka.map((l) => (JSON.parse(l.split('\t')[1]!) as { eventId: number }).eventId), ids);

  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /gridwatch_outbound_delivered_total\{target="mqtt"\} 3/);
  assert.match(metrics, /gridwatch_outbound_delivered_total\{target="kafka"\} 3/);
});
