/** The pure cores of the sink: image checks and normalisation rules at their edges. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { deviceEventWireSchema, type DeviceEventWire } from '../../ingest/device-event.js';
import { checkInlineImage, sniffImage } from '../../ingest/images.js';
import { DEFAULT_NORMALISE_OPTIONS, normalise } from '../../ingest/normalise.js';
import { wireEvent } from './mqtt-kafka-support.js';

/** A real 1×1 RGB PNG: signature, IHDR, IDAT (zlib) and IEND chunks with their CRCs. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const wire = (e: Record<string, unknown>): DeviceEventWire => deviceEventWireSchema.parse(e);

describe('images and normalisation (pure)', () => {
  it('recognises JPEG, PNG and WebP by structure and says what is wrong with everything else', () => {
    assert.deepEqual(sniffImage(png()), { mime: 'image/png' });
    assert.deepEqual(sniffImage(fs.readFileSync('/usr/share/doc/nodejs/full-white-stripe.jpg')), { mime: 'image/jpeg' });
    assert.deepEqual(sniffImage(Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64')), { mime: 'image/webp' });
    assert.match((sniffImage(png().subarray(0, 40)) as { problem: string }).problem, /truncated/);
    assert.match((sniffImage(Buffer.from('GIF89a\x01\x00\x01\x00')) as { problem: string }).problem, /start with 474946383961/);
    const ok = checkInlineImage(`data:image/png;base64,${png().toString('base64')}`);
    assert.ok('sha256' in ok && ok.stored === `images/${ok.sha256}.png`);
    assert.match((checkInlineImage('not base64 at all!!') as { problem: string }).problem, /not valid base64/);
    assert.match((checkInlineImage(png().toString('base64'), 'image/webp') as { problem: string }).problem, /says image\/webp but the bytes are image\/png/);
  });

  it('applies the clock-skew limits at their edges and converts gas readings', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    const at = (ms: number) => wire({ ...wireEvent('gas-sensor', 'g', 1), ts: new Date(now + ms).toISOString() });
    const { maxFutureMs, staleAfterMs } = DEFAULT_NORMALISE_OPTIONS;
    assert.equal(normalise(at(maxFutureMs), now).ok, true, 'exactly at the future limit is accepted');
    const ahead = normalise(at(maxFutureMs + 1000), now);
    assert.ok(!ahead.ok && ahead.code === 'GW_INGEST_FUTURE_TS');
    const edge = normalise(at(-staleAfterMs), now);
    assert.ok(edge.ok && edge.event.flags.length === 0);
    const stale = normalise(at(-staleAfterMs - 1), now);
    assert.ok(stale.ok && stale.event.flags.includes('stale-ts') && stale.event.ts === now - staleAfterMs - 1);

    const { lelPct: _l, ...noLel } = wireEvent('gas-sensor', 'g', 2);
    const both = normalise(wire({ ...noLel, lelPct: 7, ch4Ppm: 50_000 }), Date.now());
    assert.ok(both.ok && both.event.kind === 'gas-sensor' && both.event.lelPct === 7, 'a direct %LEL reading wins');
    const over = normalise(wire({ ...noLel, ch4Ppm: 100_000 }), Date.now());
    assert.ok(over.ok && over.event.kind === 'gas-sensor' && over.event.lelPct === 200 && over.event.flags.includes('lel-over-range'));
  });
});
