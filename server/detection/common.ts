import type { DeviceEvent } from '../../ingest/device-event.js';
import type { LocateResult, ZoneRef, ZoneType } from '../../geo/types.js';
import type { DetectContext } from './config.js';
import type { Alert } from './alert.js';

/** The last event a detector applied, so replays and late arrivals are not applied twice. */
export interface LastSeen {
  ts: number;
  eventId: string;
}

/**
 * Whether `event` is new to a detector whose last applied event is `last`. Delivery is at
 * least once, so a redelivered or out-of-order event must not move state (or raise) again.
 */
function isFresh(last: LastSeen | null, event: DeviceEvent): boolean {
  return last === null || event.ts > last.ts || (event.ts === last.ts && event.eventId !== last.eventId);
}

/** The zones of one type among those the locator returned, typed by that type. */
export function zonesOfType<T extends ZoneType>(zones: readonly ZoneRef[], type: T): Extract<ZoneRef, { type: T }>[] {
  return zones.filter((z): z is Extract<ZoneRef, { type: T }> => z.type === type);
}

/** Fields every alert takes from the event that raised it. */
export function alertBase(event: DeviceEvent): Pick<Alert, 'deviceKind' | 'deviceId' | 'ts' | 'position'> {
  return {
    deviceKind: event.kind,
    deviceId: event.deviceId,
    ts: event.ts,
    position: { lon: event.position.lon, lat: event.position.lat },
  };
}

/** Evidence event ids kept per condition: enough to audit, bounded so state stays small. */
const MAX_EVIDENCE_IDS = 10;

/** Appends an event id to an evidence list, keeping the most recent MAX_EVIDENCE_IDS. */
export function pushEvidence(ids: readonly string[], eventId: string): string[] {
  return [...ids, eventId].slice(-MAX_EVIDENCE_IDS);
}

/** Great-circle distance between two WGS84 points in metres (haversine; ample at city scale). */
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A detector: pure, from the state kept for its key and one event to new state and alerts. */
export type Detector<S, E extends DeviceEvent> = (
  state: S,
  event: E,
  location: LocateResult,
  ctx: DetectContext,
) => { state: S; alerts: Alert[] };

/** Makes a detector leave state untouched, raising nothing, for replayed and late events. */
export function skipStale<S extends { last: LastSeen | null }, E extends DeviceEvent>(detector: Detector<S, E>): Detector<S, E> {
  return (state, event, location, ctx) => (isFresh(state.last, event) ? detector(state, event, location, ctx) : { state, alerts: [] });
}
