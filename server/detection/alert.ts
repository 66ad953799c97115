import type { DeviceKind } from '../../ingest/device-event.js';

/** Alert severities, lowest first; the order is what `maxSeverity` and clue upgrades rely on. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Numeric rank of a severity (info = 0 … critical = 4). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/**
 * Stable alert types. The catalogue maps each to an enforcement item (执法事项), so renaming one
 * is a data migration, not a refactor.
 */
export const ALERT_TYPES = [
  'waste.dumping-outside-site', // 渣土车在消纳场外倾倒
  'waste.uncovered-load', // 重载未密闭/未苫盖
  'waste.off-corridor', // 偏离核准线路
  'waste.outside-hours', // 非核准时段行驶
  'waste.restricted-zone', // 驶入限行区域
  'gas.leak', // 燃气泄漏报警 (low → high → critical upgrades the same clue)
  'gas.device-offline', // 燃气报警器离线
  'gas.tamper', // 燃气报警器被拆除/遮挡
  'bridge.structural-alarm', // 桥梁结构监测超限 (yellow → orange → red)
  'parking.no-parking-road', // 机动车道违停 → 交警
  'parking.no-parking-pavement', // 人行道违停 → 综合执法
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** What each alert type is called, for the words people read (routing reasons). */
export const ALERT_TYPE_NAMES: Record<AlertType, { zh: string; en: string }> = {
  'waste.dumping-outside-site': { zh: '渣土车在消纳场外倾倒', en: 'waste truck dumping outside a disposal site' },
  'waste.uncovered-load': { zh: '重载未密闭', en: 'loaded truck not covered' },
  'waste.off-corridor': { zh: '偏离核准线路', en: 'off the approved route' },
  'waste.outside-hours': { zh: '非核准时段行驶', en: 'driving outside approved hours' },
  'waste.restricted-zone': { zh: '驶入限行区域', en: 'entered a restricted zone' },
  'gas.leak': { zh: '燃气泄漏报警', en: 'gas leak alarm' },
  'gas.device-offline': { zh: '燃气报警器离线', en: 'gas alarm offline' },
  'gas.tamper': { zh: '燃气报警器被拆除或遮挡', en: 'gas alarm removed or covered' },
  'bridge.structural-alarm': { zh: '桥梁结构监测超限', en: 'bridge structural alarm' },
  'parking.no-parking-road': { zh: '机动车道违停', en: 'parked on a no-parking road' },
  'parking.no-parking-pavement': { zh: '人行道违停', en: 'parked on the pavement' },
};

/** The asset an alert is about, when routing goes by asset or by zone attribute rather than place. */
export type AlertAsset =
  | { type: 'bridge'; code: string; custodianUnitId: string }
  | { type: 'no-parking'; code: string; roadKind: 'road' | 'pavement' };

/** Evidence behind an alert: the events that caused it and the best image, if any. */
export interface AlertEvidence {
  eventIds: string[];
  image?: { url: string } | { stored: string; sha256: string; mime: string };
}

/** A problem found by a detector: input to the router and to clue aggregation. */
export interface Alert {
  type: AlertType;
  severity: Severity;
  /**
   * 'clue' goes straight to the responsible unit; 'review' needs a person to confirm the
   * reading first (e.g. a low-confidence plate read, 人工复核).
   */
  disposition: 'clue' | 'review';
  deviceKind: DeviceKind;
  deviceId: string;
  /** When the condition was established (ms since epoch). */
  ts: number;
  position: { lon: number; lat: number };
  /** What repeated alerts are grouped by: bridge code, plate@zone, device id or grid cell. */
  assetKey: string;
  asset?: AlertAsset;
  evidence: AlertEvidence;
  /** The measured values that caused the alert, for the record and the operator. */
  details: Record<string, number | string | boolean | null>;
  summary: { zh: string; en: string };
}
