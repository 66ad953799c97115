import type {
  BridgeSensorEvent,
  DeviceEvent,
  GasSensorEvent,
  ParkingCameraEvent,
  WasteTruckEvent,
} from '../../ingest/device-event.js';
import type { LocateResult, ZoneRef } from '../../geo/types.js';
import type { Alert } from '../../server/detection/alert.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectContext, type DeviceRegistration } from '../../server/detection/config.js';
import { detect, stateKey, type DetectorState } from '../../server/detection/detect.js';

/** 2024-03-01 10:00 Asia/Shanghai: inside ordinary working hours. */
export const T0 = Date.parse('2024-03-01T10:00:00+08:00');

/** A located point with the given zones, inside town 330203001 of district 330203. */
export function located(zones: ZoneRef[] = [], over: Partial<LocateResult> = {}): LocateResult {
  return {
    lon: 121.55,
    lat: 29.87,
    grid: { code: '330203001001001', name: '网格 1' },
    community: { code: '330203001001', name: '社区 1' },
    town: { code: '330203001', name: '石碶街道' },
    district: { code: '330203', name: '海曙区' },
    zones,
    onBoundary: false,
    distanceToEdgeM: 120,
    ...over,
  };
}

const base = (i: number, atS: number, deviceId: string) => ({
  eventId: `e${i}`,
  deviceId,
  ts: T0 + atS * 1000,
  receivedAt: T0 + atS * 1000,
  position: { lon: 121.55, lat: 29.87, accuracyM: 5 },
  sourceCrs: 'wgs84' as const,
  flags: [],
});

/** A waste-truck fix `atS` seconds after T0; the defaults are a loaded, covered truck driving. */
export function truck(i: number, atS: number, over: Partial<WasteTruckEvent> = {}): WasteTruckEvent {
  return { ...base(i, atS, 'truck-1'), kind: 'waste-truck', speedKmh: 30, headingDeg: 90, loaded: true, covered: true, body: 'down', ...over };
}

/** A gas reading `atS` seconds after T0. */
export function gas(i: number, atS: number, lelPct: number, over: Partial<GasSensorEvent> = {}): GasSensorEvent {
  return { ...base(i, atS, 'gas-1'), kind: 'gas-sensor', lelPct, coPpm: null, batteryPct: 90, tamper: false, ...over };
}

/** A bridge reading `atS` seconds after T0 (strain only unless overridden). */
export function bridge(i: number, atS: number, strainUe: number | null, over: Partial<BridgeSensorEvent> = {}): BridgeSensorEvent {
  return {
    ...base(i, atS, 'bridge-1'),
    kind: 'bridge-sensor',
    bridgeId: 'BR-01',
    strainUe,
    displacementMm: null,
    tiltDeg: null,
    crackWidthMm: null,
    ...over,
  };
}

/** A parking-camera sighting `atS` seconds after T0. */
export function cam(
  i: number,
  atS: number,
  event: ParkingCameraEvent['event'],
  confidence: number,
  over: Partial<ParkingCameraEvent> = {},
): ParkingCameraEvent {
  return { ...base(i, atS, 'cam-1'), kind: 'parking-camera', plate: '浙B12345', zoneId: 'NP-01', event, confidence, ...over };
}

/** Detector context with the shipped thresholds and the given registration. */
export function context(device: Partial<DeviceRegistration> = {}): DetectContext {
  return { config: DEFAULT_DETECTOR_CONFIG, device: { deviceId: 'dev', ...device } };
}

/** One scripted step: an event and the zones the locator puts it in. */
export interface Step {
  event: DeviceEvent;
  zones?: ZoneRef[];
}

/** An alert reduced to what the tables compare: which step raised it and what it is. */
export interface Raised {
  step: number;
  type: Alert['type'];
  severity: Alert['severity'];
  disposition: Alert['disposition'];
  assetKey: string;
}

/**
 * Plays a script through `detect`, one state per state key, and returns the alerts raised.
 * With `restartAt`, state is written to JSON and read back just before that step, as it is
 * across a restart.
 */
export function play(steps: Step[], ctx: DetectContext, restartAt?: number): { raised: Raised[]; alerts: Alert[]; states: Map<string, DetectorState> } {
  let states = new Map<string, DetectorState>();
  const raised: Raised[] = [];
  const alerts: Alert[] = [];
  steps.forEach((s, step) => {
    if (step === restartAt) states = new Map(JSON.parse(JSON.stringify([...states])) as [string, DetectorState][]);
    const key = stateKey(s.event);
    const out = detect(states.get(key), s.event, located(s.zones), ctx);
    states.set(key, out.state);
    for (const a of out.alerts) {
      raised.push({ step, type: a.type, severity: a.severity, disposition: a.disposition, assetKey: a.assetKey });
      alerts.push(a);
    }
  });
  return { raised, alerts, states };
}

/** A disposal site (消纳场). */
export function site(code: string, licensed: boolean, openingHours = [{ from: '07:00', to: '19:00' }]): ZoneRef {
  return { code, name: `消纳场 ${code}`, type: 'disposal-site', attrs: { licensed, openingHours } };
}

/** The corridor of permit P-1. */
export const CORRIDOR: ZoneRef = { code: 'RC-01', name: '核准线路 1', type: 'route-corridor', attrs: { permitId: 'P-1', bufferM: 50 } };

/** A restricted zone (e.g. around a school) active 07:00–18:00. */
export function restricted(code: string, activeHours = [{ from: '07:00', to: '18:00' }]): ZoneRef {
  return { code, name: `限行区 ${code}`, type: 'restricted', attrs: { reason: '学校周边', activeHours } };
}

/** Bridge BR-01: strain yellow 300 / orange 500 / red 800 µε, sustained 60 s. */
export const BRIDGE: Extract<ZoneRef, { type: 'bridge' }> = {
  code: 'BR-01',
  name: '灵桥',
  type: 'bridge',
  attrs: { custodianUnitId: 'custodian-municipal', thresholds: { strainUe: { yellow: 300, orange: 500, red: 800 } }, sustainS: 60 },
};

/** A no-parking zone with a 10-minute dwell limit. */
export function noParking(code: string, roadKind: 'road' | 'pavement'): Extract<ZoneRef, { type: 'no-parking' }> {
  return { code, name: `禁停区 ${code}`, type: 'no-parking', attrs: { roadKind, dwellLimitS: 600 } };
}
