/**
 * Clue events over MQTT and Kafka, read back by clients someone else wrote: the `mqtt`
 * package and `mosquitto_sub` against the embedded broker (with its subscriber logins and
 * refusals), and `kcat -C` against librdkafka's mock cluster.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import Kafka from 'node-rdkafka';
import { createLogger } from '../../core/logger.js';
import { EmbeddedMqttTransport } from '../../ingest/transports/mqtt-broker.js';
import { createUser, login } from '../../server/auth/users.js';
import { OutboundDispatcher } from '../../server/outbound/dispatcher.js';
import { CLUE_EVENTS_TOPIC, KafkaTarget } from '../../server/outbound/kafka-target.js';
import { clueSubscribers } from '../../server/outbound/mqtt-subscribers.js';
import { MqttTarget } from '../../server/outbound/mqtt-target.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { RecordingSink, TableAuthenticator, requireBinary, run, stopProcess, waitFor } from '../ingest/mqtt-kafka-support.js';
import { insertClue, insertOutbox, insertUnit } from './fixtures.js';

const MOSQUITTO_SUB = requireBinary('/usr/bin/mosquitto_sub', 'mosquitto-clients');
const KCAT = requireBinary('/usr/bin/kcat', 'kcat');
const log = createLogger('silent');

type Message = { topic: string; eventId: number; clueCode: string; unitIds: string[] };

describe('clue events over MQTT and Kafka', () => {
  let db: TestDb;
  let broker: EmbeddedMqttTransport;
  let cluster: Kafka.Producer;
  let bootstrap: string;
  let kafka: KafkaTarget;
  let dispatcher: OutboundDispatcher;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];
  let sub: ChildProcess | undefined;

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    await insertUnit(db.pool, 'unit-a');
    await insertUnit(db.pool, 'unit-b');
    for (const [username, role, unitId] of [
      ['mq-admin', 'admin', null],
      ['mq-unit-a', 'officer', 'unit-a'],
      ['mq-unit-b', 'officer', 'unit-b'],
      ['mq-nobody', 'worker', null],
    ] as const) {
      await createUser(db.pool, { username, password: `pw-${username}-secret`, displayName: username, role, scopes: [], unitId });
      tokens[username] = (await login(db.pool, username, `pw-${username}-secret`)).token;
    }
    broker = new EmbeddedMqttTransport({ port: 0, host: '127.0.0.1', authenticator: new TableAuthenticator({}), log, subscribers: clueSubscribers(db.pool) });
    await broker.start(new RecordingSink());

    // The test owns the mock cluster; the Kafka target connects to it like to any cluster.
    cluster = new Kafka.Producer({ 'test.mock.num.brokers': 1 } as Kafka.ProducerGlobalConfig);
    await new Promise<void>((resolve, reject) => cluster.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
    const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
      cluster.getMetadata({ topic: CLUE_EVENTS_TOPIC, timeout: 10_000 }, (err, m) => (err ? reject(err) : resolve(m))),
    );
    bootstrap = md.brokers.map((b) => `${b.host}:${b.port}`).join(',');
    kafka = await KafkaTarget.connect(bootstrap, log);
  });

  after(async () => {
    if (sub) await stopProcess(sub);
    for (const c of clients) await c.endAsync(true);
    await dispatcher?.stop();
    await kafka?.close();
    if (cluster?.isConnected()) await new Promise<void>((r) => cluster.disconnect(() => r()));
    await broker?.stop();
    await db.close();
  });

  async function connect(username: string, password: string): Promise<MqttClient> {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.listeningPort}`, { username, password, reconnectPeriod: 0, clientId: `reader/${username}/${clients.length}` });
    clients.push(c);
    return c;
  }

  function collect(c: MqttClient): Message[] {
    const got: Message[] = [];
    c.on('message', (topic, payload) => got.push({ topic, ...(JSON.parse(payload.toString()) as Omit<Message, 'topic'>) }));
    return got;
  }

  test('subscriber logins: a user token reads its own unit; other units, devices topics and bad tokens are refused', async () => {
    await assert.rejects(connect('mq-unit-a', 'not-a-token'), /Bad username or password|Not authorized/i);
    await assert.rejects(connect('mq-unit-b', tokens['mq-unit-a']!), /Bad username or password|Not authorized/i, "another user's token");
    await assert.rejects(connect('mq-nobody', tokens['mq-nobody']!), /Bad username or password|Not authorized/i, 'a user with no unit has nothing to read');
    const b = await connect('mq-unit-b', tokens['mq-unit-b']!);
    await assert.rejects(b.subscribeAsync('clues/unit-a/events', { qos: 1 }), 'another unit is refused');
    await assert.rejects(b.subscribeAsync('clues/#', { qos: 1 }), 'a wildcard is refused to a unit');
    await assert.rejects(b.subscribeAsync('devices/#', { qos: 1 }), 'device topics are never readable');
    assert.ok(b.connected, 'a refused subscription keeps the connection');
    const granted = await b.subscribeAsync('clues/unit-b/events', { qos: 1 });
    assert.equal(granted[0]!.qos, 1);
    // Subscribers may not publish: the broker refuses and drops the connection without a PUBACK.
    b.publish('clues/unit-b/events', '{}', { qos: 1 });
    await waitFor('the broker to drop a subscriber that publishes', () => !b.connected);
  });

  test('every event reaches clues/{unitId}/events for each unit it names (mqtt.js and mosquitto_sub) and clue-events keyed by clue code (kcat)', async () => {
    const admin = await connect('mq-admin', tokens['mq-admin']!);
    const all = collect(admin);
    assert.equal((await admin.subscribeAsync('clues/+/events', { qos: 1 }))[0]!.qos, 1);
    const b = await connect('mq-unit-b', tokens['mq-unit-b']!);
    const onlyB = collect(b);
    await b.subscribeAsync('clues/unit-b/events', { qos: 1 });

    const units = [['unit-a'], ['unit-a', 'unit-b'], ['unit-b']];
    const perUnit = { 'unit-a': 8, 'unit-b': 8 };
    // mosquitto_sub in a persistent session (-c): the first run subscribes and exits on the
    // SUBACK (-E); the broker then keeps unit-a's events for the session, so the second run
    // gets them all whether it connects before or after they are published, and exits after
    // the last one (-C).
    const session = ['-h', '127.0.0.1', '-p', String(broker.listeningPort), '-u', 'mq-unit-a', '-P', tokens['mq-unit-a']!, '-i', 'reader/mq-unit-a/mosq', '-c', '-q', '1', '-t', 'clues/unit-a/events'];
    const subscribed = await run(MOSQUITTO_SUB, [...session, '-E']);
    assert.equal(subscribed.code, 0, `mosquitto_sub subscribes: ${subscribed.stderr}`);
    let out = '';
    sub = spawn(MOSQUITTO_SUB, [...session, '-C', String(perUnit['unit-a']), '-F', 'MSG %t %p']);
    sub.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    sub.stderr!.on('data', (d: Buffer) => (out += d.toString()));

    dispatcher = new OutboundDispatcher({ pool: db.pool, log, targets: { mqtt: new MqttTarget((t, p) => broker.publish(t, p)), kafka }, pollMs: 20, lagRefreshMs: 0 });
    await dispatcher.start();
    const clues: { id: number; code: string }[] = [];
    for (const code of ['330203-20260301-0201', '330203-20260301-0202']) clues.push({ id: await insertClue(db.pool, { code }), code });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await insertOutbox(db.pool, clues[i % 2]!, i < 2 ? 'created' : 'updated', units[i % 3]!, { n: i }));

    const expected = ids.flatMap((id, i) => units[i % 3]!.map((u) => `clues/${u}/events#${id}`));
    await waitFor('the admin client to get one message per event and unit', () => all.length >= expected.length);
    assert.deepEqual(all.map((m) => `${m.topic}#${m.eventId}`), expected, 'in outbox order, each once');
    await waitFor('the unit-b client to get its events', () => onlyB.length >= perUnit['unit-b']);
    assert.deepEqual(onlyB.map((m) => m.eventId), ids.filter((_, i) => units[i % 3]!.includes('unit-b')));

    const mosquitto = sub;
    await waitFor(`mosquitto_sub to exit after ${perUnit['unit-a']} messages`, () => mosquitto.exitCode !== null);
    assert.equal(mosquitto.exitCode, 0, `mosquitto_sub exits 0; output:\n${out}`);
    sub = undefined;
    const viaMosquitto = out
      .split('\n')
      .filter((l) => l.startsWith('MSG '))
      .map((l) => JSON.parse(l.slice('MSG clues/unit-a/events '.length)) as Message);
    assert.deepEqual(viaMosquitto.map((m) => m.eventId), ids.filter((_, i) => units[i % 3]!.includes('unit-a')), 'mosquitto_sub got unit-a events in order');

    const fromKafka = await waitFor('kcat to read all 12 events from clue-events', async () => {
      const r = await run(KCAT, ['-C', '-b', bootstrap, '-t', CLUE_EVENTS_TOPIC, '-e', '-q', '-f', '%k\t%s\n']);
      const lines = r.stdout.split('\n').filter(Boolean);
      return lines.length >= 12 ? lines : undefined;
    });
    assert.equal(fromKafka.length, 12, 'each event once');
    const records = fromKafka.map((l) => {
      const [key, value] = l.split('\t') as [string, string];
      return { key, value: JSON.parse(value) as Message };
    });
    for (const r of records) assert.equal(r.key, r.value.clueCode, 'keyed by clue code');
    for (const clue of clues) {
      const got = records.filter((r) => r.key === clue.code).map((r) => r.value.eventId);
      assert.deepEqual(got, ids.filter((_, i) => i % 2 === clues.indexOf(clue)), `events of ${clue.code} in order in their partition`);
    }
  });
});
