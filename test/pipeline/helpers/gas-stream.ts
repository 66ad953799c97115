import type { RawInput } from '../../../ingest/transport.js';
import { PLACES } from './mini-city.js';

/** The gas sensors of the crash-recovery stream, registered at the mini city's restaurant. */
export const STREAM_SENSORS = ['gas-s1', 'gas-s2', 'gas-s3', 'gas-s4'].map((id) => ({ id, kind: 'gas-sensor' as const, metadata: { reportingIntervalS: 60 } }));

/** A gas reading as a device sends it (HTTP body, MQTT payload). */
export function gasReading(deviceId: string, ts: number, lelPct: number, accuracyM = 5): RawInput {
  const wire = { eventId: `${deviceId}-${ts}`, deviceId, kind: 'gas-sensor', ts: new Date(ts).toISOString(), position: { ...PLACES.gas, accuracyM }, lelPct };
  return { transport: 'http', payload: JSON.stringify(wire), authenticatedDeviceId: deviceId, receivedAt: Date.now() };
}

/**
 * The stream: every sensor reads 2 and 30 %LEL in turn, 10 s apart from `base`, so each 30
 * raises exactly one high alarm (the 2 in between clears it), sent in chunks of one reading per
 * sensor. Expected alerts: half the readings.
 */
export function gasStream(base: number, readings: number): RawInput[][] {
  return Array.from({ length: readings }, (_, j) => STREAM_SENSORS.map((s) => gasReading(s.id, base + j * 10_000, j % 2 ? 30 : 2)));
}
