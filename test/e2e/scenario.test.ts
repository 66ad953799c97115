/**
 * End to end: the real service (`startGridwatch`: embedded MQTT broker, ingest sink,
 * locator, catalogue, clue pipeline, HTTP API) is given a small city, a catalogue and devices
 * through its admin API. A scripted scenario is then published over MQTT by the `mqtt` client
 * and by `mosquitto_pub`, and the clues that result are checked exactly through the clue API:
 * item, units, reasons, counts, severities and deadlines. Expected values are computed here from
 * the catalogue data and the event times, not taken from the service.
 *
 * The scenario: a truck dumping outside the disposal site in an empowered town and one in a
 * town that is not; a truck raising its body inside the licensed site (no clue); a gas leak
 * rising from low to high; a bridge with a spike, then a sustained exceedance that later
 * rises a level; a car parked on a pavement too long; and a plate read too poorly to act on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { createUser } from '../../server/auth/users.js';
import type { Gridwatch } from '../../server/runtime.js';
import type { DeviceKind } from '../../ingest/device-event.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { requireBinary, run, waitFor } from '../ingest/mqtt-kafka-support.js';
import { DEVICES, DISTRICT, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLayers } from '../pipeline/helpers/mini-city.js';

const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const catalogue = miniCatalogue();
const item = (code: string) => catalogue.versions.flatMap((v) => v.items).find((i) => i.code === code)!;
/** Three hours ago, on a whole second: events are in the past, under catalogue v2. */
const T = Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000;
const at = (s: number) => new Date(T + s * 1000).toISOString();

let gw: Gridwatch;
let service: TestGridwatch | undefined;
let admin: string;
let operator: string;
let mqttPort: number;
const tokens = new Map<string, string>();

before(async () => {
  service = await startTestGridwatch();
  gw = service.gw;
  await createUser(gw.db.pool, { username: 'e2e-admin', password: 'e2e-admin-secret', displayName: 'admin', role: 'admin', scopes: [], unitId: null });
  await createUser(gw.db.pool, { username: 'e2e-operator', password: 'e2e-operator-secret', displayName: 'op', role: 'operator', scopes: [DISTRICT.code], unitId: null });
  admin = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: 'e2e-admin', password: 'e2e-admin-secret' } })).body.token;
  operator = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: 'e2e-operator', password: 'e2e-operator-secret' } })).body.token;

  for (const { layer, fc } of miniLayers()) {
    const r = await api(`${gw.url}/api/v1/geo/imports?layer=${layer}`, { token: admin, body: fc });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.locator, 'reloaded');
  }
  const imported = await api(`${gw.url}/api/v1/catalogue/import?format=json`, { token: admin, body: catalogue });
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  for (const d of DEVICES) {
    // A day's reporting interval: the silence timer must not add an offline clue mid-test.
    const metadata = d.kind === 'gas-sensor' ? { ...d.metadata, reportingIntervalS: 86_400 } : d.metadata;
    const r = await api(`${gw.url}/api/v1/devices`, { token: admin, body: { id: d.id, kind: d.kind, metadata } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    tokens.set(d.id, r.body.token);
  }
  mqttPort = (await api(`${gw.url}/healthz`)).body.components.mqtt.detail.port;
});
after(async () => {
  await service?.close();
});

type Wire = Record<string, unknown>;
const topic = (kind: DeviceKind, id: string) => `devices/${kind}/${id}/events`;
const envelope = (id: string, kind: DeviceKind, s: number, place: { lon: number; lat: number }, n: string) => ({
  eventId: `${id}-${n}`,
  deviceId: id,
  kind,
  ts: at(s),
  position: { ...place, crs: 'wgs84', accuracyM: 5 },
});

/** Publishes a device's events in order with the mqtt client, QoS 1, each acknowledged (stored). */
async function publish(id: string, kind: DeviceKind, events: Wire[]): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: id, password: tokens.get(id)!, clientId: `e2e-${id}`, reconnectPeriod: 0 });
  try {
    for (const e of events) await client.publishAsync(topic(kind, id), JSON.stringify(e), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

const truck = (id: string, s: number, place: { lon: number; lat: number }) => ({
  ...envelope(id, 'waste-truck', s, place, String(s)),
  speedKmh: 0,
  loaded: true,
  covered: true,
  body: 'raised',
});
const gas = (s: number, lelPct: number) => ({ ...envelope('gas-a', 'gas-sensor', s, PLACES.gas, String(s)), lelPct, batteryPct: 80 });
const bridge = (s: number, strainUe: number) => ({ ...envelope('bridge-1', 'bridge-sensor', s, PLACES.bridge, String(s)), bridgeId: 'BR-01', strainUe });
const camera = (s: number, plate: string, event: string, confidence: number) => ({
  ...envelope('camera-1', 'parking-camera', s, PLACES.pavement, `${plate}-${s}`),
  plate,
  zoneId: 'NP-01',
  event,
  confidence,
});

test('a scripted scenario over MQTT yields exactly the expected clues', async () => {
  await publish('truck-a', 'waste-truck', [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-a', 40, PLACES.dumpA)]);
  // truck-b first raises its body inside the licensed, open site (no clue), then outside.
  await publish('truck-b', 'waste-truck', [truck('truck-b', 0, PLACES.site), truck('truck-b', 30, PLACES.site), truck('truck-b', 600, PLACES.dumpB), truck('truck-b', 625, PLACES.dumpB)]);
  await publish('gas-a', 'gas-sensor', [gas(0, 2), gas(30, 12), gas(60, 18), gas(90, 30)]);
  await publish('bridge-1', 'bridge-sensor', [
    bridge(0, 130), // a spike …
    bridge(5, 90), // … gone at once: nothing
    bridge(10, 130),
    bridge(40, 140),
    bridge(75, 135), // over yellow (100) for 65 s ≥ 60 s: yellow
    bridge(100, 160),
    bridge(170, 165), // over orange (150) for 70 s: orange, the same clue upgraded
  ]);
  // The camera publishes with mosquitto_pub, one message per line.
  const lines = [
    camera(0, '浙B12345', 'enter', 0.9),
    camera(300, '浙B12345', 'present', 0.92),
    camera(660, '浙B12345', 'present', 0.95), // 11 min > 10 min limit
    camera(720, '浙B12345', 'present', 0.94), // the same stay: no second clue
    camera(0, '浙B9999X', 'enter', 0.3),
    camera(650, '浙B9999X', 'present', 0.4), // too long, but read too poorly: review
  ];
  const pub = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(mqttPort), '-u', 'camera-1', '-P', tokens.get('camera-1')!, '-i', 'e2e-camera-1', '-q', '1', '-t', topic('parking-camera', 'camera-1'), '-l'], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  assert.equal(pub.code, 0, pub.stderr);

  type View = Record<string, any>;
  const list = async (): Promise<View[]> => (await api(`${gw.url}/api/v1/clues?limit=100`, { token: operator })).body.clues;
  const clues = await waitFor('all six clues, with the gas and bridge upgrades', async () => {
    const all = await list();
    const count = (type: string) => all.find((c) => c.alertType === type)?.alertCount;
    // The deadline scheduler plans each clue's two deadlines within a poll (5 s) of its opening.
    return all.length === 6 && count('gas.leak') === 2 && count('bridge.structural-alarm') === 2 && all.every((c) => c.closeDueAt !== null) ? all : null;
  }, 60_000);

  const byAsset = new Map(clues.map((c) => [c.assetKey, c]));
  // Every item here counts in minutes (urgent, or routine under a day), from the clue's opening.
  const deadline = (c: View, code: string) => new Date(Date.parse(c.openedAt) + item(code).deadlineMin * 60_000).toISOString();
  const rules = (c: View) => c.reasons.map((r: { rule: string }) => r.rule);
  const expect = (c: View, e: { item: string; primary: string; coNotified: string[]; severity: string; count: number; firstAlertS: number; town: string; rules: string[] }) => {
    assert.equal(c.item.code, e.item, c.code);
    assert.equal(c.primaryUnitId, e.primary, c.code);
    assert.deepEqual([...c.coNotifiedUnitIds].sort(), [...e.coNotified].sort(), c.code);
    assert.equal(c.severity, e.severity, c.code);
    assert.equal(c.alertCount, e.count, c.code);
    assert.equal(c.deadline, deadline(c, e.item), c.code);
    assert.equal(c.closeDueAt, c.deadline, c.code);
    assert.ok(Date.parse(c.openedAt) >= T + e.firstAlertS * 1000, c.code);
    assert.equal(c.townCode, e.town, c.code);
    assert.deepEqual(rules(c), e.rules, c.code);
    assert.equal(c.catalogueVersion, 2, c.code);
    assert.match(c.code, new RegExp(`^${DISTRICT.code}-\\d{8}-\\d{4}$`));
  };

  expect(byAsset.get('truck-a')!, { item: '住建-渣土-01', primary: `team-${TOWN_A.code}`, coNotified: [], severity: 'high', count: 1, firstAlertS: 25, town: TOWN_A.code, rules: ['item', 'empowered', 'deadline'] });
  expect(byAsset.get('truck-b')!, { item: '住建-渣土-01', primary: 'dept-330203-construction', coNotified: [`team-${TOWN_B.code}`], severity: 'high', count: 1, firstAlertS: 625, town: TOWN_B.code, rules: ['item', 'not-empowered', 'deadline'] });
  expect(byAsset.get('gas-a')!, { item: '住建-燃气-01', primary: `team-${TOWN_A.code}`, coNotified: ['dept-330203-emergency', 'utility-gas'], severity: 'high', count: 2, firstAlertS: 30, town: TOWN_A.code, rules: ['item', 'empowered', 'also-notify', 'deadline'] });
  expect(byAsset.get('BR-01')!, { item: '交通-桥梁-01', primary: 'custodian-municipal', coNotified: [`team-${TOWN_B.code}`, 'dept-330203-traffic-police'], severity: 'high', count: 2, firstAlertS: 75, town: TOWN_B.code, rules: ['item', 'custodian', 'also-notify', 'deadline'] });
  expect(byAsset.get('浙B12345@NP-01')!, { item: '城管-停车-01', primary: `team-${TOWN_A.code}`, coNotified: [], severity: 'low', count: 1, firstAlertS: 660, town: TOWN_A.code, rules: ['item', 'territorial', 'deadline'] });
  const review = byAsset.get('浙B9999X@NP-01')!;
  expect(review, { item: '城管-停车-01', primary: `team-${TOWN_A.code}`, coNotified: [], severity: 'low', count: 1, firstAlertS: 650, town: TOWN_A.code, rules: ['item', 'territorial', 'review', 'deadline'] });
  assert.equal(review.review, true);
  assert.equal(review.needsConfirmation, true);
  assert.equal(clues.filter((c) => c.needsConfirmation).length, 1, 'only the poorly read plate waits for confirmation');

  // The reasons name the item, the town, the catalogue version and the rule, in both languages.
  const empowered = byAsset.get('truck-a')!.reasons.find((r: { rule: string }) => r.rule === 'empowered');
  assert.equal(empowered.zh, `事项 住建-渣土-01 自 2024-01-01 起赋权${TOWN_A.name}（清单 v1），由${TOWN_A.name}综合行政执法队办理`);
  assert.match(byAsset.get('truck-b')!.reasons[1].en, new RegExp(`${TOWN_B.name} is not empowered for item 住建-渣土-01 \\(catalogue v2\\)`));
  assert.match(byAsset.get('gas-a')!.summary.en, /high alarm: 30 %LEL/);
  assert.match(byAsset.get('BR-01')!.summary.en, /orange warning on strainUe: 165/);

  // Each clue's detail has its timeline; every change reached the outbox in its transaction.
  const detail = await api(`${gw.url}/api/v1/clues/${byAsset.get('BR-01')!.code}`, { token: operator });
  assert.deepEqual(detail.body.timeline.map((t: { action: string }) => t.action), ['opened', 'alert']);
  const outbox = await gw.db.pool.query<{ change: string; n: number }>(`SELECT change, count(*)::int AS n FROM clue_outbox GROUP BY change ORDER BY change`);
  assert.deepEqual(outbox.rows, [
    { change: 'created', n: 6 },
    { change: 'updated', n: 2 },
  ]);
});
