import type { ParkingCameraEvent } from '../../ingest/device-event.js';
import type { AlertEvidence } from './alert.js';
import { alertBase, pushEvidence, skipStale, zonesOfType, type Detector, type LastSeen } from './common.js';

/** One vehicle's stay in one no-parking zone. */
export interface ParkingStay {
  since: number;
  lastSeen: number;
  /** The highest-confidence read of the stay: the evidence an officer looks at. */
  best: { confidence: number; eventId: string; image?: AlertEvidence['image'] };
  eventIds: string[];
}

/** Detector state per plate and zone (违停). JSON-serialisable; persisted across restarts. */
export interface ParkingCameraState {
  kind: 'parking-camera';
  last: LastSeen | null;
  stay: ParkingStay | null;
  /** What this stay has raised: nothing, a review alert, or the clue alert (final). */
  raised: 'none' | 'review' | 'clue';
}

/** State of a plate and zone not seen before. */
export function initialParkingCameraState(): ParkingCameraState {
  return { kind: 'parking-camera', last: null, stay: null, raised: 'none' };
}

/** Detector state key for a camera event: one state per zone and plate, whichever camera saw it. */
export function parkingStateKey(event: ParkingCameraEvent): string {
  return `parking:${event.zoneId}:${event.plate}`;
}

/**
 * Illegal-parking detector: a plate present in a no-parking zone longer than the zone's
 * `dwellLimitS` raises one alert per stay, with the best read's image. If the best read so far
 * is below `minConfidence`, the alert is a `review` one (人工复核) and a later confident read
 * of the same stay raises the clue alert. A stay ends on 'leave' or after `staleAfterS` with
 * no sighting. The zone is the located one with the event's zone id, else the registration's.
 */
export const detectParkingCamera: Detector<ParkingCameraState, ParkingCameraEvent> = skipStale((state, event, location, ctx) => {
  const last = { ts: event.ts, eventId: event.eventId };
  const zone =
    zonesOfType(location.zones, 'no-parking').find((z) => z.code === event.zoneId) ??
    ctx.device.noParkingZones?.find((z) => z.code === event.zoneId);
  const cfg = ctx.config.parking;
  const current = state.stay !== null && event.ts - state.stay.lastSeen <= cfg.staleAfterS * 1000 ? state.stay : null;
  if (!zone || event.event === 'leave') return { state: { kind: 'parking-camera', last, stay: null, raised: 'none' }, alerts: [] };

  const read = { confidence: event.confidence, eventId: event.eventId, ...(event.image ? { image: event.image } : {}) };
  const stay: ParkingStay = current
    ? {
        since: current.since,
        lastSeen: event.ts,
        best: event.confidence > current.best.confidence ? read : current.best,
        eventIds: pushEvidence(current.eventIds, event.eventId),
      }
    : { since: event.ts, lastSeen: event.ts, best: read, eventIds: [event.eventId] };
  const raisedBefore = current ? state.raised : 'none';
  const next: ParkingCameraState = { kind: 'parking-camera', last, stay, raised: raisedBefore };
  const dwellS = Math.round((event.ts - stay.since) / 1000);
  const confident = stay.best.confidence >= cfg.minConfidence;
  if (dwellS < zone.attrs.dwellLimitS || raisedBefore === 'clue' || (raisedBefore === 'review' && !confident))
    return { state: next, alerts: [] };

  next.raised = confident ? 'clue' : 'review';
  const road = zone.attrs.roadKind === 'road';
  const where = road ? { zh: '机动车道', en: 'road' } : { zh: '人行道', en: 'pavement' };
  const review = confident ? { zh: '', en: '' } : { zh: '（车牌识别置信度低，待人工复核）', en: ' (low-confidence plate read: manual review)' };
  const minutes = Math.floor(dwellS / 60);
  return {
    state: next,
    alerts: [
      {
        ...alertBase(event),
        type: road ? 'parking.no-parking-road' : 'parking.no-parking-pavement',
        severity: 'low',
        disposition: confident ? 'clue' : 'review',
        assetKey: `${event.plate}@${zone.code}`,
        asset: { type: 'no-parking', code: zone.code, roadKind: zone.attrs.roadKind },
        evidence: { eventIds: stay.eventIds, ...(stay.best.image ? { image: stay.best.image } : {}) },
        details: {
          plate: event.plate,
          zoneCode: zone.code,
          dwellS,
          dwellLimitS: zone.attrs.dwellLimitS,
          confidence: stay.best.confidence,
          bestEventId: stay.best.eventId,
        },
        summary: {
          zh: `${event.plate} 在${zone.name}（${where.zh}禁停区）停留 ${minutes} 分钟，超过 ${zone.attrs.dwellLimitS / 60} 分钟限制${review.zh}`,
          en: `${event.plate} has stayed ${minutes} min in no-parking zone ${zone.name} (${where.en}), over the ${zone.attrs.dwellLimitS / 60} min limit${review.en}`,
        },
      },
    ],
  };
});
