import type { WasteTruckEvent } from '../../ingest/device-event.js';
import type { Alert, AlertType, Severity } from './alert.js';
import { alertBase, distanceM, skipStale, zonesOfType, type Detector, type LastSeen } from './common.js';
import { IDLE_LATCH, isIdle, stepLatch, type Latch, type LatchRule } from './latch.js';
import { inTimeWindows } from './time-window.js';

/** Per-truck detector state (渣土车). JSON-serialisable; persisted across restarts. */
export interface WasteTruckState {
  kind: 'waste-truck';
  last: LastSeen | null;
  /** Where a corridor departure is measured from: the last fix inside the corridor. */
  corridorRef: { lon: number; lat: number } | null;
  dumping: Latch;
  uncovered: Latch;
  offCorridor: Latch;
  outsideHours: Latch;
  /** One latch per restricted zone the truck is in (or recently left). */
  restricted: Record<string, Latch>;
}

/** State of a truck not seen before. */
export function initialWasteTruckState(): WasteTruckState {
  return {
    kind: 'waste-truck',
    last: null,
    corridorRef: null,
    dumping: IDLE_LATCH,
    uncovered: IDLE_LATCH,
    offCorridor: IDLE_LATCH,
    outsideHours: IDLE_LATCH,
    restricted: {},
  };
}

function durationS(latch: Latch, ts: number): number {
  return Math.round((ts - (latch.since ?? ts)) / 1000);
}

/**
 * Construction-waste truck detector: dumping outside a licensed, open disposal site; loaded and
 * uncovered; leaving the permit corridor; moving outside permitted hours; entering an active
 * restricted zone. Every condition is debounced (fixes + dwell, hysteresis on clearing), and
 * zone tests skip fixes less accurate than `maxAccuracyM`, so GPS jitter raises nothing.
 */
export const detectWasteTruck: Detector<WasteTruckState, WasteTruckEvent> = skipStale((state, event, location, ctx) => {
  const cfg = ctx.config.waste;
  const { device } = ctx;
  const ts = event.ts;
  const rule = (minS: number): LatchRule => ({ minS, minFixes: cfg.minFixes, clearFixes: cfg.clearFixes });
  const moving = event.speedKmh > cfg.movingKmh;
  const next: WasteTruckState = { ...state, last: { ts, eventId: event.eventId } };
  const alerts: Alert[] = [];
  /** Raises `type` from a latch that just fired; the truck is the asset unless a zone is. */
  const raise = (
    type: AlertType,
    severity: Severity,
    latch: Latch,
    summary: Alert['summary'],
    { assetKey = event.deviceId, details = {} }: { assetKey?: string; details?: Alert['details'] } = {},
  ) =>
    alerts.push({
      ...alertBase(event),
      type,
      severity,
      disposition: 'clue',
      assetKey,
      evidence: { eventIds: latch.eventIds, ...(event.image ? { image: event.image } : {}) },
      details: { ...details, durationS: durationS(latch, ts), speedKmh: event.speedKmh },
      summary,
    });

  // Not zone questions, so they do not depend on fix accuracy. A stop (e.g. at a red light)
  // neither advances nor resets them.
  const uncoveredNow = event.loaded && !event.covered;
  const uncovered = uncoveredNow && !moving
    ? { latch: state.uncovered, fired: false }
    : stepLatch(state.uncovered, uncoveredNow, ts, event.eventId, rule(cfg.uncoveredMinS));
  next.uncovered = uncovered.latch;
  if (uncovered.fired)
    raise('waste.uncovered-load', 'low', uncovered.latch, {
      zh: `渣土车 ${event.deviceId} 重载行驶未密闭苫盖`,
      en: `Waste truck ${event.deviceId} is driving loaded and uncovered`,
    });

  if (device.permittedHours) {
    const hours = moving
      ? stepLatch(state.outsideHours, !inTimeWindows(device.permittedHours, ts), ts, event.eventId, rule(cfg.outsideHoursMinS))
      : { latch: state.outsideHours, fired: false };
    next.outsideHours = hours.latch;
    if (hours.fired)
      raise('waste.outside-hours', 'low', hours.latch, {
        zh: `渣土车 ${event.deviceId} 在核准时段外行驶`,
        en: `Waste truck ${event.deviceId} is moving outside its permitted hours`,
      });
  }

  if (event.position.accuracyM !== null && event.position.accuracyM > cfg.maxAccuracyM) return { state: next, alerts };

  const inOpenSite = zonesOfType(location.zones, 'disposal-site').some(
    (z) => z.attrs.licensed && inTimeWindows(z.attrs.openingHours, ts),
  );
  const dumping = stepLatch(state.dumping, event.body === 'raised' && !inOpenSite, ts, event.eventId, rule(cfg.dumpingMinS));
  next.dumping = dumping.latch;
  if (dumping.fired) {
    const seconds = durationS(dumping.latch, ts);
    const summary = {
      zh: `渣土车 ${event.deviceId} 在消纳场外举斗倾倒 ${seconds} 秒`,
      en: `Waste truck ${event.deviceId} raised its body outside any licensed, open disposal site for ${seconds} s`,
    };
    raise('waste.dumping-outside-site', 'high', dumping.latch, summary, { details: { fixes: dumping.latch.fixes } });
  }

  if (device.permitId !== undefined || device.corridorZoneCode !== undefined) {
    const here = { lon: event.position.lon, lat: event.position.lat };
    const inCorridor = zonesOfType(location.zones, 'route-corridor').some(
      (z) => z.code === device.corridorZoneCode || z.attrs.permitId === device.permitId,
    );
    // Only a loaded truck is bound to its permit's route.
    const off = event.loaded && !inCorridor;
    const ref = inCorridor || state.corridorRef === null ? here : state.corridorRef;
    next.corridorRef = ref;
    const awayM = Math.round(distanceM(ref, here));
    const corridor = stepLatch(state.offCorridor, off, ts, event.eventId, rule(cfg.corridorGraceS), awayM > cfg.corridorGraceM);
    next.offCorridor = corridor.latch;
    if (corridor.fired)
      raise(
        'waste.off-corridor',
        'medium',
        corridor.latch,
        {
          zh: `渣土车 ${event.deviceId} 偏离核准线路 ${awayM} 米`,
          en: `Waste truck ${event.deviceId} left its permitted route corridor by ${awayM} m`,
        },
        { details: { distanceM: awayM, permitId: device.permitId ?? null } },
      );
  }

  const active = new Map(
    zonesOfType(location.zones, 'restricted')
      .filter((z) => inTimeWindows(z.attrs.activeHours, ts))
      .map((z) => [z.code, z]),
  );
  const restricted: Record<string, Latch> = {};
  for (const code of new Set([...Object.keys(state.restricted), ...active.keys()])) {
    const zone = active.get(code);
    const step = stepLatch(state.restricted[code] ?? IDLE_LATCH, zone !== undefined, ts, event.eventId, rule(cfg.restrictedMinS));
    // Idle latches are dropped so the map holds only zones the truck is in or just left.
    if (!isIdle(step.latch)) restricted[code] = step.latch;
    if (step.fired && zone)
      raise(
        'waste.restricted-zone',
        'medium',
        step.latch,
        {
          zh: `渣土车 ${event.deviceId} 在限行时段驶入${zone.name}（${zone.attrs.reason}）`,
          en: `Waste truck ${event.deviceId} entered restricted zone ${zone.name} (${zone.attrs.reason}) while it is active`,
        },
        { assetKey: `${event.deviceId}@${code}`, details: { zoneCode: code, reason: zone.attrs.reason } },
      );
  }
  next.restricted = restricted;
  return { state: next, alerts };
});
