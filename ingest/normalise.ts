import { toWgs84 } from '../core/crs.js';
import type { ErrorCode } from '../core/errors.js';
import type { DeviceEvent, DeviceEventBase, DeviceEventWire } from './device-event.js';
import { checkInlineImage, type CheckedImage } from './images.js';

/** Clock-skew limits. Device clocks drift and buffered devices upload late; both are normal. */
export interface NormaliseOptions {
  /** Events stamped further ahead of the receive time than this are refused (dead letter). */
  maxFutureMs: number;
  /** Events older than this at receipt are kept but flagged `stale-ts`. */
  staleAfterMs: number;
}

/** 5 minutes of clock skew ahead; a day of late upload before an event counts as stale. */
export const DEFAULT_NORMALISE_OPTIONS: NormaliseOptions = { maxFutureMs: 5 * 60_000, staleAfterMs: 24 * 3600_000 };

/** Methane: 100 %LEL = 5 % by volume = 50,000 ppm, so 1 %LEL = 500 ppm. */
export const CH4_PPM_PER_LEL_PCT = 500;

/** A normalised event, with the inline image (if any) still to be written by the caller. */
export type Normalised =
  | { ok: true; event: DeviceEvent; image?: CheckedImage }
  | { ok: false; code: ErrorCode; reason: string };

/**
 * Turns a validated wire event into the stored model (pure): position to WGS84, gas readings
 * to %LEL, timestamps to epoch ms with clock-skew checks, inline images checked and given
 * their content address. Refusals come back with a catalogue code and a reason naming the field.
 */
export function normalise(wire: DeviceEventWire, receivedAt: number, opts: NormaliseOptions = DEFAULT_NORMALISE_OPTIONS): Normalised {
  const ts = Date.parse(wire.ts);
  if (!Number.isFinite(ts)) return { ok: false, code: 'GW_INGEST_SCHEMA', reason: `ts: ${JSON.stringify(wire.ts)} is not a real date` };
  if (ts - receivedAt > opts.maxFutureMs) {
    return {
      ok: false,
      code: 'GW_INGEST_FUTURE_TS',
      reason: `ts: ${wire.ts} is ${Math.round((ts - receivedAt) / 1000)} s ahead of the receive time ${new Date(receivedAt).toISOString()} (at most ${opts.maxFutureMs / 1000} s allowed); check the device clock`,
    };
  }
  const flags: string[] = [];
  if (receivedAt - ts > opts.staleAfterMs) flags.push('stale-ts');

  const [lon, lat] = toWgs84(wire.position.lon, wire.position.lat, wire.position.crs);
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    return { ok: false, code: 'GW_INGEST_SCHEMA', reason: `position: ${wire.position.crs} (${wire.position.lon}, ${wire.position.lat}) has no WGS84 equivalent` };
  }

  let image: CheckedImage | undefined;
  let imageRef: DeviceEventBase['image'];
  if (wire.image && 'url' in wire.image) imageRef = { url: wire.image.url };
  else if (wire.image) {
    const checked = checkInlineImage(wire.image.base64, wire.image.mime);
    if ('problem' in checked) return { ok: false, code: 'GW_INGEST_BAD_IMAGE', reason: checked.problem };
    image = checked;
    imageRef = { stored: checked.stored, sha256: checked.sha256, mime: checked.mime };
  }

  const base: DeviceEventBase = {
    eventId: wire.eventId,
    deviceId: wire.deviceId,
    ts,
    receivedAt,
    position: { lon, lat, accuracyM: wire.position.accuracyM ?? null },
    sourceCrs: wire.position.crs,
    ...(imageRef ? { image: imageRef } : {}),
    flags,
  };
  return { ok: true, event: kindFields(wire, base, flags), ...(image ? { image } : {}) };
}

/** The kind-specific part: optional measures become null, gas readings become %LEL. */
function kindFields(w: DeviceEventWire, base: DeviceEventBase, flags: string[]): DeviceEvent {
  switch (w.kind) {
    case 'waste-truck':
      return { ...base, kind: w.kind, speedKmh: w.speedKmh, headingDeg: w.headingDeg ?? null, loaded: w.loaded, covered: w.covered, body: w.body };
    case 'gas-sensor': {
      // The schema guarantees one of the two; a direct %LEL reading wins over a ppm one.
      const lelPct = w.lelPct ?? (w.ch4Ppm as number) / CH4_PPM_PER_LEL_PCT;
      // Above 100 %LEL the mixture is past the explosive limit: kept (it is the worst case), but flagged.
      if (lelPct > 100) flags.push('lel-over-range');
      return { ...base, kind: w.kind, lelPct, coPpm: w.coPpm ?? null, batteryPct: w.batteryPct ?? null, tamper: w.tamper };
    }
    case 'bridge-sensor':
      return {
        ...base,
        kind: w.kind,
        bridgeId: w.bridgeId ?? null,
        strainUe: w.strainUe ?? null,
        displacementMm: w.displacementMm ?? null,
        tiltDeg: w.tiltDeg ?? null,
        crackWidthMm: w.crackWidthMm ?? null,
      };
    case 'parking-camera':
      return { ...base, kind: w.kind, plate: w.plate, zoneId: w.zoneId, event: w.event, confidence: w.confidence };
  }
}
