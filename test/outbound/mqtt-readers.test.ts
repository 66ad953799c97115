/**
 * Readers of clue events on the embedded broker, driven by Debian's mosquitto_sub: their client
 * ids live in their own namespace (`reader/<username>[/…]`), so a reader can neither take over
 * nor lock out a device's connection; and a reader's connection ends with its login (logout
 * through the API closes it at once; expiry and a disabled user at the next re-check).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { EmbeddedMqttTransport } from '../../ingest/transports/mqtt-broker.js';
import { createUser, login, TOKEN_TTL_MS } from '../../server/auth/users.js';
import { clueSubscribers } from '../../server/outbound/mqtt-subscribers.js';
import { api, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { RecordingSink, requireBinary, run, stopProcess, waitFor, wireEvent } from '../ingest/mqtt-kafka-support.js';
import { insertUnit } from './fixtures.js';

const MOSQUITTO_SUB = requireBinary('/usr/bin/mosquitto_sub', 'mosquitto-clients');
const log = createLogger('silent');
const password = (username: string) => `pw-${username}-secret`;

describe('MQTT readers: client ids apart from devices, connections end with the login', () => {
  let db: TestDb;
  let devices: DeviceRegistry;
  let broker: EmbeddedMqttTransport;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let deviceToken: string;
  const clients: MqttClient[] = [];
  const subs: ChildProcess[] = [];

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    await insertUnit(db.pool, 'unit-a');
    for (const [username, role, unitId] of [
      ['rd-admin', 'admin', null],
      ['rd-officer', 'officer', 'unit-a'],
      ['rd-late', 'officer', 'unit-a'],
    ] as const) {
      await createUser(db.pool, { username, password: password(username), displayName: username, role, scopes: [], unitId });
    }
    devices = new DeviceRegistry(db.pool);
    deviceToken = (await devices.register({ id: 'gas-001', kind: 'gas-sensor' })).token;
    broker = new EmbeddedMqttTransport({ port: 0, host: '127.0.0.1', authenticator: devices, log, subscribers: clueSubscribers(db.pool), readerRecheckMs: 200 });
    await broker.start(new RecordingSink());
    app = await startTestApp(db.pool, { onTokenRevoked: (token) => broker.revokeReaderToken(token) });
  });
  after(async () => {
    for (const s of subs) await stopProcess(s);
    for (const c of clients) await c.endAsync(true);
    await app?.close();
    await broker?.stop();
    await db.close();
  });

  const apiLogin = async (username: string): Promise<string> => {
    const r = await api(`${app.url}/api/v1/auth/login`, { body: { username, password: password(username) } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.token as string;
  };
  const sub = (args: string[]) => run(MOSQUITTO_SUB, ['-h', '127.0.0.1', '-p', String(broker.listeningPort), ...args], undefined, 15_000);
  const connect = async (opts: mqtt.IClientOptions): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.listeningPort}`, { reconnectPeriod: 0, ...opts });
    clients.push(c);
    return c;
  };

  test("a reader cannot take over a device's client id, nor another user's; the device stays connected", async () => {
    const device = await connect({ username: 'gas-001', password: deviceToken, clientId: 'sim-gas-001' });
    let deviceClosed = 0;
    device.on('close', () => deviceClosed++);
    const token = await apiLogin('rd-admin');

    for (const clientId of ['sim-gas-001', 'gas-001', 'reader/rd-officer/1', 'reader/rd-admin-x']) {
      const r = await sub(['-u', 'rd-admin', '-P', token, '-i', clientId, '-t', 'clues/#', '-W', '5']);
      assert.notEqual(r.code, 0, `reader with client id ${clientId} is refused`);
      assert.match(r.stderr, /identifier rejected/i, `mosquitto_sub says why for ${clientId}`);
    }
    assert.equal(deviceClosed, 0, 'the device connection was never dropped');
    assert.ok(device.connected);
    await device.publishAsync('devices/gas-sensor/gas-001/events', JSON.stringify(wireEvent('gas-sensor', 'gas-001', 1)), { qos: 1 });

    // Nor can a device take a reader's client id.
    await assert.rejects(connect({ username: 'gas-001', password: deviceToken, clientId: 'reader/rd-admin/1' }), /Bad username or password|Identifier rejected/i);
    // In its own namespace the reader reads clue events.
    const ok = sub(['-u', 'rd-admin', '-P', token, '-i', 'reader/rd-admin/1', '-t', 'clues/#', '-C', '1', '-W', '10', '-F', '%t %p']);
    await waitFor('the reader to receive a clue event', async () => {
      await broker.publish('clues/unit-a/events', '{"n":1}');
      return (await Promise.race([ok, new Promise((r) => setTimeout(r, 200, undefined))])) !== undefined;
    });
    const got = await ok;
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^clues\/unit-a\/events \{"n":1\}/m);
    assert.equal(deviceClosed, 0);
  });

  test('after POST /api/v1/auth/logout the reader connection is closed and it receives nothing more', async () => {
    const token = await apiLogin('rd-officer');
    let out = '';
    const child = spawn(MOSQUITTO_SUB, ['-h', '127.0.0.1', '-p', String(broker.listeningPort), '-u', 'rd-officer', '-P', token, '-i', 'reader/rd-officer/desk', '-q', '1', '-t', 'clues/unit-a/events', '-F', 'MSG %p']);
    subs.push(child);
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    let n = 0;
    await waitFor('mosquitto_sub to receive clue events', async () => {
      await broker.publish('clues/unit-a/events', JSON.stringify({ before: ++n }));
      return out.includes('MSG {"before"');
    });

    assert.equal((await api(`${app.url}/api/v1/auth/logout`, { method: 'POST', token })).status, 204);
    await waitFor('mosquitto_sub to lose its connection and be refused on reconnecting', () => child.exitCode !== null);
    await broker.publish('clues/unit-a/events', JSON.stringify({ after: 1 }));
    assert.ok(!out.includes('"after"'), `nothing after logout; output:\n${out}`);
    assert.notEqual(child.exitCode, 0);
    assert.match(out, /bad user name or password|not authori[sz]ed/i, 'its reconnect with the revoked token was refused');
  });

  test('the periodic re-check closes readers whose token expired or whose user was disabled', async () => {
    const late = await login(db.pool, 'rd-late', password('rd-late'), Date.now() - TOKEN_TTL_MS + 1500);
    const expiring = await connect({ username: 'rd-late', password: late.token, clientId: 'reader/rd-late' });
    await expiring.subscribeAsync('clues/unit-a/events', { qos: 1 });
    const admin = await connect({ username: 'rd-admin', password: await apiLogin('rd-admin'), clientId: 'reader/rd-admin/2' });
    await admin.subscribeAsync('clues/#', { qos: 1 });

    await waitFor('the reader whose token expired to be disconnected', () => !expiring.connected);
    assert.ok(admin.connected, 'a valid reader stays');
    await db.pool.query("UPDATE users SET disabled = true WHERE username = 'rd-admin'");
    await waitFor('the disabled user reader to be disconnected', () => !admin.connected);
  });
});
