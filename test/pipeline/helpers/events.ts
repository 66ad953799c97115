import crypto from 'node:crypto';
import type pg from 'pg';
import type { BridgeSensorEvent, DeviceEvent, GasSensorEvent, ParkingCameraEvent, WasteTruckEvent } from '../../../ingest/device-event.js';
import { storeBatch } from '../../../ingest/event-store.js';
import { PLACES } from './mini-city.js';

/** 2026-03-02 10:00 Asia/Shanghai: a Monday, in working hours, under catalogue v2 of the mini city. */
export const T0 = Date.parse('2026-03-02T10:00:00+08:00');

let n = 0;
const base = (deviceId: string, atS: number, at: { lon: number; lat: number }) => ({
  eventId: `${deviceId}-${atS}-${++n}`,
  deviceId,
  ts: T0 + atS * 1000,
  receivedAt: T0 + atS * 1000,
  position: { ...at, accuracyM: 5 },
  sourceCrs: 'wgs84' as const,
  flags: [],
});

/** A waste-truck fix; defaults: standing, loaded, covered, body raised (dumping). */
export function truck(deviceId: string, atS: number, at: { lon: number; lat: number }, over: Partial<WasteTruckEvent> = {}): WasteTruckEvent {
  return { ...base(deviceId, atS, at), kind: 'waste-truck', speedKmh: 0, headingDeg: null, loaded: true, covered: true, body: 'raised', ...over };
}

/** A gas reading of sensor gas-a at the restaurant. */
export function gas(atS: number, lelPct: number, over: Partial<GasSensorEvent> = {}): GasSensorEvent {
  return { ...base('gas-a', atS, PLACES.gas), kind: 'gas-sensor', lelPct, coPpm: null, batteryPct: 80, tamper: false, ...over };
}

/** A strain reading of bridge-1 on BR-01 (or of `deviceId`, naming `bridgeId`, on the same spot). */
export function bridge(atS: number, strainUe: number, deviceId = 'bridge-1', bridgeId: string | null = 'BR-01'): BridgeSensorEvent {
  return { ...base(deviceId, atS, PLACES.bridge), kind: 'bridge-sensor', bridgeId, strainUe, displacementMm: null, tiltDeg: null, crackWidthMm: null };
}

/** A camera-1 sighting of `plate` in the pavement zone NP-01. */
export function parking(atS: number, plate: string, event: ParkingCameraEvent['event'], confidence = 0.95): ParkingCameraEvent {
  return { ...base('camera-1', atS, PLACES.pavement), kind: 'parking-camera', plate, zoneId: 'NP-01', event, confidence };
}

/**
 * Stores events as the ingest sink does (one batch in device_events) and returns them: the
 * pipeline takes only stored events, claiming each once.
 */
export async function stored<T extends DeviceEvent>(pool: pg.Pool, events: T[]): Promise<T[]> {
  await storeBatch(pool, crypto.randomUUID(), events.map((event) => ({ event, transport: 'http' as const })), []);
  return events;
}
