/**
 * Device ids are public (they are in the topic names), so guessing a device's token must not
 * lock the device out. A flood of wrong tokens from other loopback addresses (127.0.0.2…, bound
 * with http's localAddress and mosquitto_pub -A) against the real HTTP transport and the
 * embedded broker: the guessers are slowed (HTTP 429 GW_AUTH_THROTTLED with Retry-After, MQTT
 * CONNACK "not authorised"), and the device's valid token still works once its cache entry
 * has expired (authTtlMs stands in for the 60 s of production).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../core/logger.js';
import { registry as metrics } from '../../core/metrics.js';
import { sleep } from '../../core/retry.js';
import { EmbeddedMqttTransport } from '../../ingest/transports/mqtt-broker.js';
import { postFrom } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { startIngestStack, type IngestStack } from './ingest-harness.js';
import { requireBinary, run, wireEvent } from './mqtt-kafka-support.js';

const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const AUTH_TTL_MS = 300;
const SOURCE_BUDGET = 10;

/** POSTs one event for `deviceId` from the loopback address `from`. */
async function post(url: string, from: string, deviceId: string, token: string, n: number): Promise<{ status: number; retryAfter?: string; code?: string }> {
  const body = JSON.stringify(wireEvent('gas-sensor', deviceId, n));
  const r = await postFrom(`${url}/api/v1/device-events`, from, body, { 'x-device-id': deviceId, authorization: `Bearer ${token}` });
  return { status: r.status, retryAfter: r.retryAfter, code: r.body?.error?.code };
}

async function refusedMetric(reason: string): Promise<number> {
  const values = (await metrics.getSingleMetric('gridwatch_mqtt_refused_total')?.get())?.values ?? [];
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('device token guessing does not lock the device out', () => {
  let db: TestDb;
  let stack: IngestStack;
  let broker: EmbeddedMqttTransport;
  let token: string;
  let n = 0;

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    // Production budgets per device (20 in 10 s); a smaller per-address budget keeps the flood short.
    stack = await startIngestStack(db.pool, { registry: { authTtlMs: AUTH_TTL_MS, maxSourceFailures: SOURCE_BUDGET, sourceWindowMs: 60_000, sourceBlockMs: 60_000 } });
    broker = new EmbeddedMqttTransport({ port: 0, host: '127.0.0.1', authenticator: stack.devices, log: createLogger('silent') });
    await broker.start(stack.sink);
    token = (await stack.devices.register({ id: 'gas-1', kind: 'gas-sensor' })).token;
  });
  after(async () => {
    await broker?.stop();
    await stack?.close();
    await db.close();
  });

  it('HTTP: guessers from three addresses get 401 then 429 with Retry-After; the device posts on after its cache expired', async () => {
    assert.equal((await post(stack.url, '127.0.0.1', 'gas-1', token, ++n)).status, 200);
    const answers = new Map<string, Awaited<ReturnType<typeof post>>[]>();
    for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const got = [];
      for (let i = 0; i < SOURCE_BUDGET + 5; i++) got.push(await post(stack.url, from, 'gas-1', `wrong-${from}-${i}`, ++n));
      answers.set(from, got);
    }
    await sleep(AUTH_TTL_MS + 100);
    assert.equal((await post(stack.url, '127.0.0.1', 'gas-1', token, ++n)).status, 200, 'the valid token is accepted while its id is over its failure budget');

    for (const [from, got] of answers) {
      assert.ok(got.every((a) => a.status === 401 || a.status === 429), `${from}: only 401 and 429`);
      assert.ok(got.slice(SOURCE_BUDGET).every((a) => a.status === 429), `${from}: refused once over the address budget`);
      for (const a of got.filter((x) => x.status === 429)) {
        assert.equal(a.code, 'GW_AUTH_THROTTLED');
        assert.ok(Number(a.retryAfter) >= 1, `Retry-After is a number of seconds: ${a.retryAfter}`);
      }
    }
    // A blocked address still gets a token through that verified before (a device behind the guesser's address).
    assert.equal((await post(stack.url, '127.0.0.2', 'gas-1', token, ++n)).status, 200);
  });

  it('MQTT: guessers are refused at CONNACK, and the device reconnects after its cache expired', async () => {
    const port = String(broker.listeningPort);
    const topic = 'devices/gas-sensor/gas-1/events';
    const throttledBefore = await refusedMetric('throttled');
    const refusals: string[] = [];
    for (const from of ['127.0.0.5', '127.0.0.6', '127.0.0.7']) {
      for (let i = 0; i < SOURCE_BUDGET + 2; i++) {
        const r = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', port, '-A', from, '-u', 'gas-1', '-P', `wrong-${from}-${i}`, '-q', '1', '-t', topic, '-m', '{}']);
        assert.notEqual(r.code, 0, 'a wrong token never connects');
        refusals.push(r.stderr);
      }
    }
    await sleep(AUTH_TTL_MS + 100);
    const payload = JSON.stringify(wireEvent('gas-sensor', 'gas-1', ++n));
    const device = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', port, '-u', 'gas-1', '-P', token, '-i', 'sim-gas-1', '-q', '1', '-t', topic, '-m', payload]);
    assert.equal(device.code, 0, `the device connects and its publish is acknowledged: ${device.stderr}`);

    assert.ok(refusals.some((e) => /bad user name or password/i.test(e)), 'the first guesses are wrong credentials');
    assert.ok(refusals.some((e) => /not authori[sz]ed/i.test(e)), 'later ones are throttled');
    assert.ok((await refusedMetric('throttled')) > throttledBefore, 'throttled connects are counted');
  });
});
