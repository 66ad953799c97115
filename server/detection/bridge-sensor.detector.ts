import type { BridgeSensorEvent } from '../../ingest/device-event.js';
import type { ZoneAttrs } from '../../geo/types.js';
import type { Severity } from './alert.js';
import { alertBase, pushEvidence, skipStale, zonesOfType, type Detector, type LastSeen } from './common.js';

/** Bridge warning levels (黄/橙/红色预警), lowest first. */
const BRIDGE_LEVELS = ['none', 'yellow', 'orange', 'red'] as const;
export type BridgeLevel = (typeof BRIDGE_LEVELS)[number];
type RaisedLevel = Exclude<BridgeLevel, 'none'>;
const RAISED: readonly RaisedLevel[] = ['yellow', 'orange', 'red'];

const MEASURES = ['strainUe', 'displacementMm', 'tiltDeg', 'crackWidthMm'] as const;
type Measure = (typeof MEASURES)[number];

const LEVEL_SEVERITY: Record<RaisedLevel, Severity> = { yellow: 'medium', orange: 'high', red: 'critical' };
const LEVEL_ZH: Record<RaisedLevel, string> = { yellow: '黄色', orange: '橙色', red: '红色' };
const MEASURE_ZH: Record<Measure, string> = { strainUe: '应变', displacementMm: '位移', tiltDeg: '倾角', crackWidthMm: '裂缝宽度' };

/** One measure's level and the runs that raise or lower it. */
export interface BridgeMeasureState {
  level: BridgeLevel;
  /** Since when the measure has been continuously at or over each level's threshold (ms). */
  overSince: Partial<Record<RaisedLevel, number>>;
  /** Since when it has been continuously below the current level's lowering band (ms). */
  underSince: number | null;
  eventIds: string[];
}

/** Per-sensor detector state (桥梁监测). JSON-serialisable; persisted across restarts. */
export interface BridgeSensorState {
  kind: 'bridge-sensor';
  last: LastSeen | null;
  measures: Partial<Record<Measure, BridgeMeasureState>>;
}

/** State of a sensor not seen before. */
export function initialBridgeSensorState(): BridgeSensorState {
  return { kind: 'bridge-sensor', last: null, measures: {} };
}

const rank = (l: BridgeLevel) => BRIDGE_LEVELS.indexOf(l);
const IDLE_MEASURE: BridgeMeasureState = { level: 'none', overSince: {}, underSince: null, eventIds: [] };

/** The bridge's level: the highest of its measures'. */
function bridgeLevel(measures: BridgeSensorState['measures']): BridgeLevel {
  return MEASURES.reduce<BridgeLevel>((best, k) => {
    const l = measures[k]?.level ?? 'none';
    return rank(l) > rank(best) ? l : best;
  }, 'none');
}

/**
 * Moves one measure's state by one reading: a level rises only when the reading has been at or
 * over its threshold for `sustainMs` (a spike raises nothing), and falls only when readings
 * have stayed below threshold × (1 − hysteresis) for `sustainMs` too.
 */
function stepMeasure(
  m: BridgeMeasureState,
  value: number,
  thresholds: NonNullable<ZoneAttrs<'bridge'>['thresholds'][Measure]>,
  ts: number,
  eventId: string,
  sustainMs: number,
  hysteresisRatio: number,
): BridgeMeasureState {
  const v = Math.abs(value);
  const overSince: BridgeMeasureState['overSince'] = {};
  for (const l of RAISED) if (v >= thresholds[l]) overSince[l] = m.overSince[l] ?? ts;
  const sustained = RAISED.reduce<BridgeLevel>((best, l) => {
    const since = overSince[l];
    return since !== undefined && ts - since >= sustainMs ? l : best;
  }, 'none');
  const eventIds = overSince.yellow !== undefined || m.level !== 'none' ? pushEvidence(m.eventIds, eventId) : [];
  if (rank(sustained) > rank(m.level)) return { level: sustained, overSince, underSince: null, eventIds };
  if (m.level === 'none') return { level: 'none', overSince, underSince: null, eventIds };
  if (v >= thresholds[m.level] * (1 - hysteresisRatio)) return { level: m.level, overSince, underSince: null, eventIds };
  const underSince = m.underSince ?? ts;
  if (ts - underSince < sustainMs) return { level: m.level, overSince, underSince, eventIds };
  return { level: sustained, overSince, underSince: null, eventIds: sustained === 'none' ? [] : eventIds };
}

/**
 * Bridge sensor detector: yellow / orange / red levels per measure against the bridge zone's
 * thresholds, raised when sustained for the zone's `sustainS` and lowered with hysteresis. An
 * alert goes out whenever the bridge's highest level rises (after a fall, a new rise alerts
 * again), always with the same type, so the clue is upgraded rather than duplicated. The
 * bridge is the zone named by the event (else the device's registration), found among the
 * located zones or, when the sensor sits off the bridge polygon, in the registration; when
 * neither names one, the bridge zone the sensor stands on (its custodian then gets the clue).
 */
export const detectBridgeSensor: Detector<BridgeSensorState, BridgeSensorEvent> = skipStale((state, event, location, ctx) => {
  const registered = ctx.device.bridge;
  const code = event.bridgeId ?? registered?.code;
  const located = zonesOfType(location.zones, 'bridge');
  // Named by neither the event nor the registration, the sensor belongs to the bridge it stands on.
  const bridge =
    code === undefined ? located[0] : (located.find((z) => z.code === code) ?? (registered?.code === code ? registered : undefined));
  const next: BridgeSensorState = { ...state, last: { ts: event.ts, eventId: event.eventId } };
  if (!bridge) return { state: next, alerts: [] };

  const sustainMs = bridge.attrs.sustainS * 1000;
  const before = bridgeLevel(state.measures);
  const measures: BridgeSensorState['measures'] = { ...state.measures };
  // The measure that lifted the bridge above its previous level, if one did.
  let cause: { measure: Measure; value: number; level: RaisedLevel; threshold: number; eventIds: string[] } | undefined;
  for (const key of MEASURES) {
    const value = event[key];
    const thresholds = bridge.attrs.thresholds[key];
    if (value === null || thresholds === undefined) continue;
    const m = stepMeasure(
      state.measures[key] ?? IDLE_MEASURE, value, thresholds, event.ts, event.eventId, sustainMs, ctx.config.bridge.hysteresisRatio,
    );
    measures[key] = m;
    if (m.level !== 'none' && rank(m.level) > rank(cause?.level ?? before))
      cause = { measure: key, value, level: m.level, threshold: thresholds[m.level], eventIds: m.eventIds };
  }
  next.measures = measures;
  if (!cause) return { state: next, alerts: [] };
  const { measure, value, level, threshold, eventIds } = cause;
  return {
    state: next,
    alerts: [
      {
        ...alertBase(event),
        type: 'bridge.structural-alarm',
        severity: LEVEL_SEVERITY[level],
        disposition: 'clue',
        assetKey: bridge.code,
        asset: { type: 'bridge', code: bridge.code, custodianUnitId: bridge.attrs.custodianUnitId },
        evidence: { eventIds },
        details: { level, measure, value, threshold, sustainS: bridge.attrs.sustainS },
        summary: {
          zh: `${bridge.name}${MEASURE_ZH[measure]}${LEVEL_ZH[level]}预警：${value}（阈值 ${threshold}，持续 ${bridge.attrs.sustainS} 秒以上）`,
          en: `${bridge.name} ${level} warning on ${measure}: ${value} (threshold ${threshold}, sustained ≥ ${bridge.attrs.sustainS} s)`,
        },
      },
    ],
  };
});
