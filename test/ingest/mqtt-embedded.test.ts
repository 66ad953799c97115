/**
 * The embedded aedes broker, driven by two MQTT clients someone else wrote: mqtt.js and
 * Debian's mosquitto_pub. Protocol side only: the sink here records inputs and can hold or
 * fail them like a slow or down database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import mqtt from 'mqtt';
import { createLogger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { EmbeddedMqttTransport, MAX_PACKET_BYTES } from '../../ingest/transports/mqtt-broker.js';
import { RecordingSink, TableAuthenticator, requireBinary, run, waitFor, wireEvent } from './mqtt-kafka-support.js';

const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const log = createLogger('silent');
const devices = {
  'gas-a': { kind: 'gas-sensor', token: 'token-a' },
  'gas-b': { kind: 'gas-sensor', token: 'token-b' },
  'truck-c': { kind: 'waste-truck', token: 'token-c', disabled: true },
} as const;

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const hit = m.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
}

describe('embedded MQTT broker (aedes)', () => {
  const sink = new RecordingSink();
  let transport: EmbeddedMqttTransport;
  let port: number;

  before(async () => {
    transport = new EmbeddedMqttTransport({ port: 0, host: '127.0.0.1', authenticator: new TableAuthenticator({ ...devices }), log });
    await transport.start(sink);
    port = transport.listeningPort!;
  });
  after(() => transport.stop());

  const connect = (id: string, token: string, extra: mqtt.IClientOptions = {}) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: id, password: token, clientId: `t-${id}-${Math.random()}`, reconnectPeriod: 0, ...extra });

  test('a device publishes QoS 1 to its own topic with mqtt.js; the input reaches the sink with its identity', async () => {
    const client = await connect('gas-a', 'token-a');
    const payload = JSON.stringify(wireEvent('gas-sensor', 'gas-a', 'mqttjs-1'));
    await client.publishAsync('devices/gas-sensor/gas-a/events', payload, { qos: 1 });
    await client.endAsync();
    const got = sink.stored.find((i) => String(i.payload) === payload);
    assert.ok(got, 'the published payload was stored');
    assert.equal(got.transport, 'mqtt');
    assert.equal(got.authenticatedDeviceId, 'gas-a');
    assert.equal(got.topic, 'devices/gas-sensor/gas-a/events');
    assert.deepEqual(transport.health(), { status: 'ok', detail: { mode: 'embedded', port, clients: 0 } });
  });

  test('mosquitto_pub publishes QoS 1 lines; each becomes one input', async () => {
    const lines = [1, 2, 3].map((n) => JSON.stringify(wireEvent('gas-sensor', 'gas-b', `mp-${n}`)));
    const res = await run(
      MOSQUITTO_PUB,
      ['-h', '127.0.0.1', '-p', String(port), '-u', 'gas-b', '-P', 'token-b', '-i', 'mp-gas-b', '-q', '1', '-t', 'devices/gas-sensor/gas-b/events', '-l'],
      lines.join('\n') + '\n',
    );
    assert.equal(res.code, 0, `mosquitto_pub failed: ${res.stderr}`);
    for (const line of lines) assert.ok(sink.stored.some((i) => String(i.payload) === line && i.authenticatedDeviceId === 'gas-b'), `stored ${line}`);
  });

  test('PUBACK waits for storage: a held publish stays unacknowledged while the broker serves others', async () => {
    const a = await connect('gas-a', 'token-a');
    const b = await connect('gas-b', 'token-b');
    const release = sink.hold();
    let acked = false;
    const payload = JSON.stringify(wireEvent('gas-sensor', 'gas-a', 'held-1'));
    const pub = a.publishAsync('devices/gas-sensor/gas-a/events', payload, { qos: 1 }).then(() => (acked = true));
    await waitFor('the held publish to reach the sink', () => sink.seen.some((i) => String(i.payload) === payload));
    // A full round trip through the broker by another client while the store is held.
    await assert.rejects(b.subscribeAsync('devices/gas-sensor/gas-b/status', { qos: 1 }), /Subscribe error/);
    assert.equal(acked, false, 'no PUBACK before the sink resolved');
    release();
    await pub;
    assert.ok(sink.stored.some((i) => String(i.payload) === payload));
    await Promise.all([a.endAsync(), b.endAsync()]);
  });

  test('storage down: no PUBACK, the connection closes, the client redelivers and the event is stored', async () => {
    const before = await metric('gridwatch_mqtt_unacknowledged_total', { mode: 'embedded' });
    const client = await connect('gas-a', 'token-a', { reconnectPeriod: 100 });
    let closes = 0;
    client.on('close', () => closes++);
    sink.failNext = 2;
    const payload = JSON.stringify(wireEvent('gas-sensor', 'gas-a', 'redeliver-1'));
    await client.publishAsync('devices/gas-sensor/gas-a/events', payload, { qos: 1 });
    await client.endAsync();
    assert.equal(sink.seen.filter((i) => String(i.payload) === payload).length, 3, 'two refused attempts, then the stored one');
    assert.equal(sink.stored.filter((i) => String(i.payload) === payload).length, 1);
    assert.ok(closes >= 2, 'each failed store closed the connection');
    assert.equal(await metric('gridwatch_mqtt_unacknowledged_total', { mode: 'embedded' }), before + 2);
  });

  test('device A cannot publish as device B: the wrong topic is refused and counted', async () => {
    const before = await metric('gridwatch_mqtt_refused_total', { reason: 'topic' });
    const payload = JSON.stringify(wireEvent('gas-sensor', 'gas-b', 'spoof-1'));
    const res = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(port), '-u', 'gas-a', '-P', 'token-a', '-q', '1', '-t', 'devices/gas-sensor/gas-b/events', '-m', payload]);
    assert.notEqual(res.code, 0, 'mosquitto_pub must not see its publish acknowledged');

    const client = await connect('gas-a', 'token-a');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('devices/waste-truck/gas-a/events', payload, { qos: 1 });
    await closed;
    client.end(true);

    assert.equal(await metric('gridwatch_mqtt_refused_total', { reason: 'topic' }), before + 2);
    assert.ok(!sink.seen.some((i) => String(i.payload) === payload), 'nothing published on a foreign topic reaches the sink');
  });

  test('wrong token, unknown device and disabled device are refused at CONNECT and counted', async () => {
    const before = await metric('gridwatch_mqtt_refused_total', { reason: 'credentials' });
    const cases = [
      ['gas-a', 'token-b'],
      ['nobody', 'x'],
      ['truck-c', 'token-c'],
    ];
    for (const [user, pass] of cases) {
      const res = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(port), '-u', user!, '-P', pass!, '-q', '1', '-t', `devices/gas-sensor/${user}/events`, '-m', '{}']);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /bad user name or password|not authori[sz]ed/i, `mosquitto_pub says why for ${user}`);
    }
    await assert.rejects(connect('gas-b', 'token-a'), /Bad username or password/i);
    assert.equal(await metric('gridwatch_mqtt_refused_total', { reason: 'credentials' }), before + 4);
  });

  test('a device cannot take over another device connection by reusing its client id', async () => {
    const before = await metric('gridwatch_mqtt_refused_total', { reason: 'client-id' });
    const b = await connect('gas-b', 'token-b', { clientId: 'same-id' });
    await assert.rejects(connect('gas-a', 'token-a', { clientId: 'same-id' }), /Identifier rejected/i);
    assert.ok(b.connected, 'the first device keeps its connection');
    // The same device reconnecting under its own client id is an ordinary session takeover.
    const b2 = await connect('gas-b', 'token-b', { clientId: 'same-id' });
    await b2.endAsync();
    b.end(true);
    assert.equal(await metric('gridwatch_mqtt_refused_total', { reason: 'client-id' }), before + 1);
  });

  test('subscriptions are refused: a device cannot read other devices events', async () => {
    const before = await metric('gridwatch_mqtt_refused_total', { reason: 'subscribe' });
    const client = await connect('gas-a', 'token-a');
    await assert.rejects(client.subscribeAsync('devices/#', { qos: 1 }), (err: Error & { packet?: { granted?: number[] } }) => {
      assert.deepEqual(err.packet?.granted, [128]);
      return true;
    });
    assert.ok(client.connected, 'a refused subscription keeps the connection');
    await client.endAsync();
    assert.equal(await metric('gridwatch_mqtt_refused_total', { reason: 'subscribe' }), before + 1);
  });

  test('a packet over the size limit closes that connection before it is buffered, and is counted', async () => {
    const before = await metric('gridwatch_mqtt_refused_total', { reason: 'too-large' });
    const client = await connect('gas-a', 'token-a');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('devices/gas-sensor/gas-a/events', Buffer.alloc(MAX_PACKET_BYTES + 1, 'x'), { qos: 1 });
    await closed;
    client.end(true);
    assert.equal(await metric('gridwatch_mqtt_refused_total', { reason: 'too-large' }), before + 1);
    assert.ok(!sink.seen.some((i) => i.payload.length > MAX_PACKET_BYTES), 'the oversized payload never reached the sink');
    assert.equal(transport.health().status, 'ok');
  });

  test('garbage on the socket closes that connection and nothing else', async () => {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const closed = new Promise((r) => sock.once('close', r));
    sock.on('error', () => undefined);
    sock.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closed;
    assert.equal(transport.health().status, 'ok');
  });
});

describe('embedded MQTT broker start-up', () => {
  test('a taken MQTT_PORT fails with a catalogued error naming MQTT_PORT and MQTT_URL', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const transport = new EmbeddedMqttTransport({ port: taken, host: '127.0.0.1', authenticator: new TableAuthenticator({}), log });
    await assert.rejects(transport.start(new RecordingSink()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'GW_MQTT_PORT_IN_USE');
      assert.match(err.message, new RegExp(`:${taken} \\(MQTT_PORT\\)`));
      assert.match(err.message, /MQTT_URL/);
      return true;
    });
    await new Promise((r) => blocker.close(r));
  });
});
