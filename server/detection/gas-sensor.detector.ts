import type { GasSensorEvent } from '../../ingest/device-event.js';
import type { Alert, Severity } from './alert.js';
import type { DetectContext, DetectorConfig } from './config.js';
import { alertBase, pushEvidence, skipStale, type Detector, type LastSeen } from './common.js';

/** Gas alarm levels, lowest first. */
const GAS_LEVELS = ['none', 'low', 'high', 'critical'] as const;
export type GasLevel = (typeof GAS_LEVELS)[number];

const LEVEL_SEVERITY: Record<Exclude<GasLevel, 'none'>, Severity> = { low: 'medium', high: 'high', critical: 'critical' };
const LEVEL_ZH: Record<Exclude<GasLevel, 'none'>, string> = { low: '低限', high: '高限', critical: '危险' };

/** Per-sensor detector state (燃气报警器). JSON-serialisable; persisted across restarts. */
export interface GasSensorState {
  kind: 'gas-sensor';
  deviceId: string;
  last: LastSeen | null;
  /** Kept so an offline alert, which has no event, can still be placed on the map. */
  lastPosition: { lon: number; lat: number } | null;
  /** Current level, with hysteresis. */
  level: GasLevel;
  /** Highest level already alerted in this episode; only a higher one alerts again. */
  alerted: GasLevel;
  peakLelPct: number;
  episodeEventIds: string[];
  tamper: boolean;
  /** An offline alert was raised for the current silence. */
  offline: boolean;
}

/** State of a sensor not seen before. */
export function initialGasSensorState(deviceId: string): GasSensorState {
  return {
    kind: 'gas-sensor',
    deviceId,
    last: null,
    lastPosition: null,
    level: 'none',
    alerted: 'none',
    peakLelPct: 0,
    episodeEventIds: [],
    tamper: false,
    offline: false,
  };
}

const rank = (l: GasLevel) => GAS_LEVELS.indexOf(l);

/**
 * The level for a reading: up at once to whatever the reading reaches (a leak is urgent), down
 * only once the reading is `hysteresisLelPct` below the current level's threshold.
 */
export function gasLevel(current: GasLevel, lelPct: number, cfg: DetectorConfig['gas']): GasLevel {
  const thresholds = [0, cfg.lowLelPct, cfg.highLelPct, cfg.criticalLelPct];
  const reached = (margin: number) => {
    let i = 0;
    while (i < thresholds.length - 1 && lelPct >= thresholds[i + 1]! - margin) i++;
    return i;
  };
  const raw = reached(0);
  const held = Math.min(rank(current), reached(cfg.hysteresisLelPct));
  return GAS_LEVELS[Math.max(raw, held)]!;
}

/**
 * Gas sensor detector: low / high / critical %LEL alarms that upgrade the same alert type as
 * the level rises (so the clue is updated, not duplicated), and tamper. Offline is
 * `checkGasSilence`, driven by a timer.
 */
export const detectGasSensor: Detector<GasSensorState, GasSensorEvent> = skipStale((state, event, _location, ctx) => {
  const cfg = ctx.config.gas;
  const level = gasLevel(state.level, event.lelPct, cfg);
  const inEpisode = level !== 'none';
  const next: GasSensorState = {
    ...state,
    last: { ts: event.ts, eventId: event.eventId },
    lastPosition: { lon: event.position.lon, lat: event.position.lat },
    level,
    alerted: inEpisode ? state.alerted : 'none',
    peakLelPct: inEpisode ? Math.max(state.peakLelPct, event.lelPct) : 0,
    episodeEventIds: inEpisode ? pushEvidence(state.episodeEventIds, event.eventId) : [],
    tamper: event.tamper,
    offline: false,
  };
  const alerts: Alert[] = [];
  const evidence = (eventIds: string[]) => ({ eventIds, ...(event.image ? { image: event.image } : {}) });
  if (level !== 'none' && rank(level) > rank(state.alerted)) {
    next.alerted = level;
    alerts.push({
      ...alertBase(event),
      type: 'gas.leak',
      severity: LEVEL_SEVERITY[level],
      disposition: 'clue',
      assetKey: event.deviceId,
      evidence: evidence(next.episodeEventIds),
      details: { level, lelPct: event.lelPct, peakLelPct: next.peakLelPct, coPpm: event.coPpm },
      summary: {
        zh: `燃气报警器 ${event.deviceId} ${LEVEL_ZH[level]}报警：${event.lelPct} %LEL`,
        en: `Gas sensor ${event.deviceId} ${level} alarm: ${event.lelPct} %LEL`,
      },
    });
  }
  if (event.tamper && !state.tamper)
    alerts.push({
      ...alertBase(event),
      type: 'gas.tamper',
      severity: 'high',
      disposition: 'clue',
      assetKey: event.deviceId,
      evidence: evidence([event.eventId]),
      details: { lelPct: event.lelPct, batteryPct: event.batteryPct },
      summary: {
        zh: `燃气报警器 ${event.deviceId} 被拆动或遮挡`,
        en: `Gas sensor ${event.deviceId} reports tampering`,
      },
    });
  return { state: next, alerts };
});

/**
 * Timer check for one gas sensor: raises one "device offline" alert once it has been silent for
 * `offlineAfterIntervals` reporting intervals (its registered interval, else the default). The
 * next event from the sensor re-arms it. A sensor never heard from raises nothing.
 */
export function checkGasSilence(
  state: GasSensorState,
  now: number,
  ctx: DetectContext,
): { state: GasSensorState; alerts: Alert[] } {
  const intervalS = ctx.device.reportingIntervalS ?? ctx.config.gas.defaultIntervalS;
  const limitMs = intervalS * ctx.config.gas.offlineAfterIntervals * 1000;
  if (state.offline || state.last === null || state.lastPosition === null || now - state.last.ts <= limitMs)
    return { state, alerts: [] };
  const silentS = Math.round((now - state.last.ts) / 1000);
  const alert: Alert = {
    type: 'gas.device-offline',
    severity: 'medium',
    disposition: 'clue',
    deviceKind: 'gas-sensor',
    deviceId: state.deviceId,
    ts: now,
    position: state.lastPosition,
    assetKey: state.deviceId,
    evidence: { eventIds: [state.last.eventId] },
    details: { silentS, reportingIntervalS: intervalS, lastSeenTs: state.last.ts },
    summary: {
      zh: `燃气报警器 ${state.deviceId} 离线：${silentS} 秒未上报（上报周期 ${intervalS} 秒）`,
      en: `Gas sensor ${state.deviceId} is offline: silent for ${silentS} s (reports every ${intervalS} s)`,
    },
  };
  return { state: { ...state, offline: true }, alerts: [alert] };
}
