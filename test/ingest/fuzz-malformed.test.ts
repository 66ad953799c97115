/**
 * Fuzz: 12,000+ malformed inputs through the sink (as MQTT/Kafka would hand them) and through
 * the HTTP endpoint. Every input must be refused at the connection (401/413, or 429 once the
 * address has sent too many wrong tokens) or stored as a dead letter with a code and a reason,
 * and the counts must add up exactly.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DeviceKind } from '../../ingest/device-event.js';
import type { RawInput } from '../../ingest/transport.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { prng } from '../helpers/prng.js';
import { wireEvent } from './mqtt-kafka-support.js';
import { count, postEvents, startIngestStack, type IngestStack } from './ingest-harness.js';

const JPEG = fs.readFileSync('/usr/share/doc/nodejs/thin-white-stripe.jpg');
const KINDS: DeviceKind[] = ['waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera'];
const DEVICE_OF: Record<DeviceKind, string> = { 'waste-truck': 'fz-truck', 'gas-sensor': 'fz-gas', 'bridge-sensor': 'fz-bridge', 'parking-camera': 'fz-cam' };
/** Required fields per kind and values that can never be valid for them. */
const REQUIRED: Record<DeviceKind, [string, unknown[]][]> = {
  'waste-truck': [
    ['speedKmh', ['fast', -1, 251, null, true, {}]],
    ['loaded', ['yes', 1, null]],
    ['covered', ['no', 0, []]],
    ['body', ['up', 1, null]],
  ],
  'gas-sensor': [
    ['lelPct', ['high', -5, 101, null]],
    ['tamper', ['false', 0]],
  ],
  'bridge-sensor': [
    ['strainUe', ['a lot', 1e9, null]],
    ['crackWidthMm', [-1, 'wide']],
  ],
  'parking-camera': [
    ['plate', [12345, '', 'X'.repeat(40), null]],
    ['zoneId', ['', 7, null]],
    ['event', ['parked', 3]],
    ['confidence', [1.5, -0.1, 'sure', null]],
  ],
};
const ENVELOPE_BAD: [string, unknown[]][] = [
  ['eventId', ['', 42, null, 'x'.repeat(200)]],
  ['ts', ['yesterday', 1700000000, '2024-13-45T99:00:00Z', null, '']],
  ['position', [null, 'here', [121, 29], {}]],
  ['deviceId', [123, '', 'has space', null]],
];

/** One malformed event payload (string or bytes) and the authenticated device to present with it. */
function malformed(rnd: () => number, n: number, http = false): { payload: string | Buffer; device: string } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const kind = pick(KINDS);
  const device = DEVICE_OF[kind];
  const ev = wireEvent(kind, device, `fz-${n}`) as Record<string, any>;
  const json = (v: unknown) => JSON.stringify(v);
  switch (Math.floor(rnd() * 16)) {
    case 0: {
      // truncated JSON
      const s = json(ev);
      return { payload: s.slice(0, 1 + Math.floor(rnd() * (s.length - 2))), device };
    }
    case 1:
      // random bytes, mostly not UTF-8
      return { payload: Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)).concat([0xff])), device };
    case 2: {
      const [field, bad] = pick(REQUIRED[kind]);
      return { payload: json({ ...ev, [field]: pick(bad) }), device };
    }
    case 3: {
      const [field] = pick([...REQUIRED[kind].filter(([f]) => f !== 'tamper' && f !== 'crackWidthMm'), ['eventId'], ['ts'], ['position']] as [string][]);
      const { [field]: _gone, ...rest } = ev;
      // a bridge event without strainUe has no measure left; a gas one without lelPct has no reading
      return { payload: json(rest), device };
    }
    case 4: {
      const [field, bad] = pick(ENVELOPE_BAD);
      return { payload: json({ ...ev, [field]: pick(bad) }), device };
    }
    case 5: {
      // coordinates: out of range, NaN/Infinity spelled in JSON, strings
      const pos = pick([
        '{"lon":121.5,"lat":91}',
        '{"lon":-181,"lat":29}',
        '{"lon":NaN,"lat":29}',
        '{"lon":121,"lat":1e400}',
        '{"lon":"121.5","lat":29.8}',
        '{"lon":121.5,"lat":29.8,"crs":"epsg3857"}',
        '{"lon":121.5,"lat":29.8,"accuracyM":-3}',
      ]);
      return { payload: json(ev).replace(/"position":\{[^}]*\}/, `"position":${pos}`), device };
    }
    case 6:
      return { payload: json({ ...ev, kind: pick(['toaster', '', 42, null, 'WASTE-TRUCK']) }), device };
    case 7:
      // a kind the device is not registered as
      return { payload: json(wireEvent(pick(KINDS.filter((k) => k !== kind)), device, `fz-${n}`)), device };
    case 8:
      // names another device than the authenticated one (and is not of that device's kind either)
      return { payload: json({ ...ev, deviceId: DEVICE_OF[pick(KINDS.filter((k) => k !== kind))] }), device };
    case 9:
      // a disabled device, or an unregistered one (Kafka-style: the key names it, nobody registered it)
      if (rnd() < 0.3) return { payload: json(wireEvent('waste-truck', 'fz-off', `fz-${n}`)), device: 'fz-off' };
      return { payload: json({ ...ev, deviceId: `ghost-${n}` }), device: `ghost-${n}` };
    case 10:
      return { payload: json({ ...ev, ts: new Date(Date.now() + 3600_000 * (1 + rnd() * 1000)).toISOString() }), device };
    case 11: {
      // images that are not images
      const base64 = pick([
        Buffer.from(`not a photo ${n}`).toString('base64'),
        JPEG.subarray(0, 100 + Math.floor(rnd() * 3000)).toString('base64'),
        Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40)]).toString('base64'),
        Buffer.from(`RIFF\u0010\u0000\u0000\u0000WEBPVP8 ${'x'.repeat(20)}`).toString('base64'),
        `${'!@#$'.repeat(8)}`,
        Buffer.from(Array.from({ length: 300 }, () => Math.floor(rnd() * 256))).toString('base64'),
      ]);
      return { payload: json({ ...wireEvent('parking-camera', 'fz-cam', `fz-${n}`), image: { base64 } }), device: 'fz-cam' };
    }
    case 12:
      // strings the database cannot store as text
      return { payload: json(ev).replace(/"eventId":"[^"]*"/, pick([`"eventId":"a\\u0000${n}"`, `"eventId":"\\ud800${n}"`])), device };
    case 13:
      // not one event object at the root (over HTTP a JSON array is a batch, so only the sink gets arrays)
      return { payload: pick(['null', '42', '"event"', 'true', '{}', '', ...(http ? [] : ['[]', `[${json(ev)}]`])]), device };
    case 14:
      // deep nesting and odd keys
      return {
        payload: pick([
          '['.repeat(5000) + ']'.repeat(5000),
          json({ __proto__: { kind: 'gas-sensor' }, constructor: 1 }),
          `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2001)}`,
          `{"kind":${'['.repeat(5000)}${']'.repeat(5000)},"deviceId":"${device}"}`,
          json(ev).replace(/"position":\{[^}]*\}/, `"position":${'['.repeat(5000)}${']'.repeat(5000)}`),
        ]),
        device,
      };
    default:
      // duplicate keys where the last one is bad
      return { payload: json(ev).replace(/\}$/, ',"eventId":""}'), device };
  }
}

describe('fuzz: malformed device input never crashes, never vanishes', () => {
  let db: TestDb;
  let stack: IngestStack;
  const tokens: Record<string, string> = {};

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    stack = await startIngestStack(db.pool);
    for (const kind of KINDS) tokens[DEVICE_OF[kind]] = (await stack.devices.register({ id: DEVICE_OF[kind], kind })).token;
    tokens['fz-off'] = (await stack.devices.register({ id: 'fz-off', kind: 'waste-truck' })).token;
    await stack.devices.setDisabled('fz-off', true);
  });
  after(async () => {
    await stack.close();
    await db.close();
  });

  it('stores every malformed input as a dead letter with a reason, or refuses it at the connection; the counts add up', async (t) => {
    const rnd = prng(20261122);
    let n = 0;

    // 1. Through the sink, as MQTT and Kafka hand over their messages: 8,000 inputs.
    const SINK_INPUTS = 8000;
    let sinkRejected = 0;
    for (let batch = 0; batch < SINK_INPUTS / 100; batch++) {
      const inputs: RawInput[] = Array.from({ length: 100 }, () => {
        const m = malformed(rnd, n++);
        return { transport: rnd() < 0.5 ? 'mqtt' : 'kafka', payload: m.payload, authenticatedDeviceId: m.device, receivedAt: Date.now() };
      });
      // A few payloads over the 3 MB per-event limit.
      if (batch % 20 === 0) inputs[0] = { transport: 'kafka', payload: Buffer.alloc(3_000_001, 0x7b), receivedAt: Date.now() };
      const outcomes = await stack.sink.submit(inputs);
      outcomes.forEach((o, i) => assert.equal(o.status, 'rejected', `sink input ${batch * 100 + i}: ${JSON.stringify(o)} for ${String(inputs[i]!.payload).slice(0, 300)}`));
      sinkRejected += outcomes.length;
    }

    // 2. Over HTTP: 4,000+ requests, some refused at the door, the rest malformed bodies.
    let httpItems = 0;
    let refused = 0;
    let requests = 0;
    const badTokens = Array.from({ length: 10 }, (_, i) => `wrong-token-${i}`);
    const send = async (deviceId: string | null, token: string | null, body: string | Buffer, items: number) => {
      requests++;
      const r = await postEvents(stack.url, deviceId, token, body);
      // 429: this address has sent too many wrong tokens (devices it verified before still pass).
      if (r.status === 401 || r.status === 413 || r.status === 429) {
        refused++;
        return;
      }
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.results.length, items);
      assert.equal(r.body.rejected, items, JSON.stringify(r.body.results.find((x: any) => x.status !== 'rejected')));
      httpItems += items;
    };
    const jobs: (() => Promise<void>)[] = [];
    for (let i = 0; i < 4000; i++) {
      const m = malformed(rnd, n++, true);
      const dice = rnd();
      if (dice < 0.05) jobs.push(() => send(null, tokens[m.device] ?? 'x', m.payload, 1));
      else if (dice < 0.1) jobs.push(() => send(m.device, badTokens[i % badTokens.length]!, m.payload, 1));
      else if (dice < 0.13) jobs.push(() => send(`nobody-${i}`, 'some-token', m.payload, 1));
      else if (dice < 0.15) jobs.push(() => send('bad id with spaces', 'tok', m.payload, 1));
      else if (dice < 0.3) {
        // a batch of malformed events, each with the token of the device it claims or another
        const k = 1 + Math.floor(rnd() * 20);
        const texts = Array.from({ length: k }, () => {
          const text = malformed(rnd, n++, true).payload.toString();
          try {
            JSON.parse(text);
            return text;
          } catch {
            return JSON.stringify(text); // not JSON itself: sent as a JSON string item
          }
        });
        const device = DEVICE_OF[KINDS[i % 4]!];
        jobs.push(() => send(device, tokens[device]!, `[${texts.join(',')}]`, k));
      } else {
        const token = m.device in tokens ? tokens[m.device]! : 'unregistered';
        // Items from an unknown device are refused at the door; the others must be dead letters.
        jobs.push(() => send(m.device, token, m.payload, 1));
      }
    }
    jobs.push(() => send('fz-truck', tokens['fz-truck']!, Buffer.alloc(5 * 1024 * 1024 + 1, 0x20), 1));
    jobs.push(() => send('fz-truck', tokens['fz-truck']!, JSON.stringify(Array.from({ length: 1001 }, () => ({}))), 1001));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );

    const inputs = SINK_INPUTS + httpItems + refused;
    assert.ok(inputs >= 10_000, `${inputs} inputs`);
    assert.ok(refused > 300, `${refused} requests refused at the connection`);
    const deadLetters = await count(db.pool, 'SELECT count(*)::int AS n FROM dead_letters');
    assert.equal(sinkRejected, SINK_INPUTS);
    assert.equal(deadLetters + refused, inputs, `${deadLetters} dead letters + ${refused} refusals = ${inputs} inputs sent`);
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM dead_letters WHERE reason = '' OR code NOT LIKE 'GW_INGEST_%' OR raw IS NULL`), 0);
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM device_events'), 0, 'nothing malformed was stored as an event');
    t.diagnostic(`${inputs} inputs (${SINK_INPUTS} via the sink, ${requests} HTTP requests): ${deadLetters} dead letters + ${refused} refused at the connection`);
    const { rows } = await db.pool.query<{ code: string }>('SELECT DISTINCT code FROM dead_letters ORDER BY code');
    assert.ok(rows.length >= 11, `many distinct reasons: ${rows.map((r) => r.code).join(', ')}`);

    // Still up and still working.
    const ok = await postEvents(stack.url, 'fz-gas', tokens['fz-gas']!, JSON.stringify(wireEvent('gas-sensor', 'fz-gas', 'after-fuzz')));
    assert.equal(ok.body.accepted, 1);
  });
});
