import type { AreaRef, LocateResult } from '../../geo/types.js';
import type { CatalogueSnapshot } from '../catalogue/catalogue-at.js';
import type { CatalogueItem, Unit } from '../catalogue/model.js';
import { ALERT_TYPE_NAMES, type Alert } from '../detection/alert.js';
import { formatLocal } from '../detection/time-window.js';
import { departmentKey, type UnitDirectory } from '../catalogue/units.js';

/** Which rule a reason records; stable, for filtering and tests. */
export const REASON_RULES = [
  'item',
  'unmapped',
  'empowered',
  'not-empowered',
  'department',
  'territorial',
  'custodian',
  'no-custodian',
  'no-unit',
  'boundary',
  'nearest',
  'outside',
  'review',
  'also-notify',
  'hub',
  'deadline',
] as const;
export type ReasonRule = (typeof REASON_RULES)[number];

/** One routing reason: a sentence in Chinese and in English, stored with the clue. */
export interface Reason {
  rule: ReasonRule;
  zh: string;
  en: string;
}

/** Where a clue goes and why. */
export interface RouteDecision {
  /** The catalogue item (执法事项); null when no item covers the alert type. */
  item: CatalogueItem | null;
  catalogueVersion: number | null;
  primaryUnit: Unit;
  /** Units told at once besides the primary (属地 town, gas utility …). */
  coNotified: Unit[];
  /** Boards that also show the clue without owning it (the hub of a 1+X area). */
  boards: Unit[];
  townCode: string | null;
  districtCode: string | null;
  /** Alert time + the item's deadline (ms). */
  deadline: number;
  /** Window in which repeated alerts join the clue (minutes). */
  windowMin: number;
  needsConfirmation: boolean;
  reasons: Reason[];
}

/** Deadline and window for an alert no item covers: a day, and an operator confirms the unit. */
export const UNMAPPED_ITEM = { deadlineMin: 1440, windowMin: 60 } as const;

const MINUTE_MS = 60_000;

type Say = (rule: ReasonRule, zh: string, en: string, confirm?: boolean) => void;

/** Where the alert is, as the router needs it. */
interface Place {
  town: AreaRef | null;
  districtCode: string | null;
  team: Unit | undefined;
}

function custodianOf(alert: Alert, units: UnitDirectory): Unit | undefined {
  const named = alert.asset?.type === 'bridge' ? units.byId.get(alert.asset.custodianUnitId) : undefined;
  return named?.kind === 'custodian' ? named : units.custodianOfAsset.get(alert.assetKey);
}

/**
 * The item's assignment rule: the primary unit (undefined when none fits) and, when a
 * department handles a delegable item, the town team as territorial co-ordinator (属地).
 */
function assign(
  item: CatalogueItem,
  catalogue: CatalogueSnapshot,
  alert: Alert,
  { town, districtCode, team }: Place,
  units: UnitDirectory,
  say: Say,
): { primary: Unit | undefined; territorial?: Unit | undefined } {
  const dept = units.departments.get(departmentKey(districtCode, item.department));
  switch (item.assignment) {
    case 'custodian': {
      const custodian = custodianOf(alert, units);
      if (custodian)
        say(
          'custodian',
          `事项 ${item.code} 按资产路由：${alert.assetKey} 由${custodian.name.zh}管养`,
          `Item ${item.code} routes by asset, not place: ${alert.assetKey} is maintained by ${custodian.name.en}`,
        );
      else
        say(
          'no-custodian',
          `资产 ${alert.assetKey} 无登记管养单位，暂交事项主管部门，需确认`,
          `Asset ${alert.assetKey} has no registered custodian: sent to the item's department for now; to be confirmed`,
          true,
        );
      return { primary: custodian ?? dept };
    }
    case 'territorial':
      if (team)
        say(
          'territorial',
          `事项 ${item.code} 为属地事项，由${team.name.zh}办理`,
          `Item ${item.code} is a territorial duty (属地): ${team.name.en} handles it`,
        );
      return { primary: team };
    case 'department':
      if (dept)
        say(
          'department',
          `事项 ${item.code} 为部门事项（不赋权镇街），由${dept.name.zh}办理`,
          `Item ${item.code} is not delegable to towns: ${dept.name.en} handles it`,
        );
      return { primary: dept };
    case 'delegable': {
      const grant = town ? catalogue.empowerment[town.code]?.[item.code] : undefined;
      if (town && team && grant) {
        say(
          'empowered',
          `事项 ${item.code} 自 ${grant.since} 起赋权${town.name}（清单 v${grant.version}），由${team.name.zh}办理`,
          `Item ${item.code} is empowered to ${town.name} since ${grant.since} (catalogue v${grant.version}): ${team.name.en} handles it`,
        );
        return { primary: team };
      }
      if (town && grant) {
        // Empowered, but its team is retired: the department holds no power here, so co-ordination decides.
        say(
          'empowered',
          `事项 ${item.code} 自 ${grant.since} 起赋权${town.name}（清单 v${grant.version}），但该镇街无在岗综合行政执法队`,
          `Item ${item.code} is empowered to ${town.name} since ${grant.since} (catalogue v${grant.version}), but the town has no enforcement team in service`,
        );
        return { primary: undefined };
      }
      if (dept && town && team)
        say(
          'not-empowered',
          `${town.name}未获赋权事项 ${item.code}（清单 v${catalogue.version}），由${dept.name.zh}办理，${town.name}作为属地协同`,
          `${town.name} is not empowered for item ${item.code} (catalogue v${catalogue.version}): ${dept.name.en} handles it, with the town co-notified as territorial co-ordinator (属地)`,
        );
      else if (dept && town)
        say(
          'not-empowered',
          `${town.name}未获赋权事项 ${item.code}（清单 v${catalogue.version}），由${dept.name.zh}办理（该镇街无在岗执法队，无属地协同）`,
          `${town.name} is not empowered for item ${item.code} (catalogue v${catalogue.version}): ${dept.name.en} handles it (the town has no team in service to co-notify)`,
        );
      else if (dept)
        say('not-empowered', `告警位置不属任何镇街，事项 ${item.code} 由${dept.name.zh}办理`, `The alert is in no town: ${dept.name.en} handles item ${item.code}`);
      return { primary: dept, territorial: team };
    }
  }
}

/** Flags what makes the place or the reading uncertain: outside, nearest cell, boundary, review. */
function flagUncertainty(alert: Alert, location: LocateResult, say: Say): void {
  const town = location.town;
  if (location.fallback === 'outside' || !town) {
    const away = location.fallbackDistanceM === undefined ? null : Math.round(location.fallbackDistanceM);
    say(
      'outside',
      `告警位置不在任何网格内${away === null ? '' : `（距最近网格 ${away} 米）`}`,
      `The alert is outside every grid cell${away === null ? '' : ` (${away} m from the nearest)`}`,
      true,
    );
  } else if (location.fallback === 'nearest') {
    const away = Math.round(location.fallbackDistanceM ?? 0);
    say(
      'nearest',
      `告警位置在网格间隙或城市边缘，已按最近网格（${away} 米）归属${town.name}，需确认`,
      `The alert is in a gap or just outside the city: assigned to the nearest cell (${away} m), in ${town.name}; to be confirmed`,
      true,
    );
  }
  if (town && location.onBoundary)
    say(
      'boundary',
      `告警位置在边界上或定位精度圈跨越边界，已按确定性规则归属${town.name}，需确认`,
      `The alert lies on a boundary or its accuracy circle crosses one: assigned to ${town.name} deterministically; to be confirmed`,
      true,
    );
  if (alert.disposition === 'review') say('review', '识别置信度低，需人工复核后再处置', 'Low-confidence reading: needs manual review before action', true);
}

/** The units an item always notifies (its `alsoNotify`), found for this place. */
function alsoNotified(item: CatalogueItem | null, { districtCode, team }: Place, units: UnitDirectory): Unit[] {
  return (item?.alsoNotify ?? []).flatMap((kind): Unit[] => {
    if (kind === 'utility') return districtCode ? units.gasUtilities.get(districtCode) ?? [] : [];
    const unit = kind === 'town-team' ? team : units.departments.get(departmentKey(districtCode, kind));
    return unit ? [unit] : [];
  });
}

/**
 * Routes an alert to the unit that holds the legal power for it there and then (DESIGN.md §5).
 * `catalogue` must be the version in force at the alert's time (`catalogueAt(history, alert.ts)`).
 * Rules, in order: the item comes from the alert type; a custodian item goes to the asset's
 * custodian, wherever the sensor stands; a territorial item to the town team; a department
 * item to the district department; a delegable item to the town team if the town is empowered
 * (赋权) for it, else to the department with the town team co-notified as 属地; an empowered
 * town whose team is retired has no unit, so co-ordination decides. Items may also
 * notify more units (gas → utility). A linked town's clue shows on its hub's board. A boundary,
 * nearest-cell or review alert needs confirmation; with no town or no unit the clue goes to
 * the district (else city) co-ordination office. Nothing is dropped. Throws only if `units`
 * has no city-level co-ordination office, which `unitsSchema` rejects on import.
 */
export function route(alert: Alert, location: LocateResult, catalogue: CatalogueSnapshot | null, units: UnitDirectory): RouteDecision {
  const reasons: Reason[] = [];
  let needsConfirmation = false;
  const say: Say = (rule, zh, en, confirm = false) => {
    reasons.push({ rule, zh, en });
    needsConfirmation ||= confirm;
  };
  const town = location.town;
  const districtCode = location.district?.code ?? null;
  const place: Place = { town, districtCode, team: town ? units.townTeams.get(town.code) : undefined };
  const office = units.coordinationOffices.get(districtCode) ?? units.coordinationOffices.get(null);
  if (!office) throw new Error('units have no city-level coordination office');
  const itemCode = catalogue?.itemByAlertType[alert.type];
  const item = catalogue && itemCode !== undefined ? catalogue.items[itemCode] ?? null : null;

  let assigned: ReturnType<typeof assign> = { primary: office };
  const named = ALERT_TYPE_NAMES[alert.type];
  if (!catalogue || !item) {
    const v = catalogue ? `v${catalogue.version}` : '—';
    say(
      'unmapped',
      `告警类型「${named.zh}」(${alert.type}) 在执法事项清单（${v}）中无对应事项，交协调机构认定`,
      `Alert type "${named.en}" (${alert.type}) maps to no item in catalogue ${v}: the co-ordination office decides`,
      true,
    );
  } else {
    say(
      'item',
      `告警「${named.zh}」(${alert.type}) 对应事项 ${item.code}「${item.name.zh}」（清单 v${catalogue.version}，${catalogue.effectiveFrom} 起施行）`,
      `Alert "${named.en}" (${alert.type}) is item ${item.code} "${item.name.en}" (catalogue v${catalogue.version}, in force since ${catalogue.effectiveFrom})`,
    );
    assigned = assign(item, catalogue, alert, place, units, say);
  }
  flagUncertainty(alert, location, say);
  const primary = assigned.primary ?? office;
  if (!assigned.primary)
    say('no-unit', `无法确定责任单位，交${office.name.zh}值班处理`, `No responsible unit found: sent to the duty desk of ${office.name.en}`, true);

  const also = alsoNotified(item, place, units).filter((u) => u.id !== primary.id);
  if (item && also.length > 0)
    say(
      'also-notify',
      `事项 ${item.code} 同时通知：${also.map((u) => u.name.zh).join('、')}`,
      `Item ${item.code} also notifies: ${also.map((u) => u.name.en).join(', ')}`,
    );
  const territorial = assigned.territorial ? [assigned.territorial] : [];
  const coNotified = [...new Map([...territorial, ...also].map((u) => [u.id, u])).values()];

  const hub = town ? units.hubOfTown.get(town.code) : undefined;
  const boards = hub ? [hub] : [];
  if (town && hub)
    say(
      'hub',
      `${town.name}属${hub.name.zh}（1+X），线索同步显示在该片区看板`,
      `${town.name} is linked to ${hub.name.en} (1+X): the clue also shows on its board`,
    );

  const deadlineMin = item?.deadlineMin ?? UNMAPPED_ITEM.deadlineMin;
  const deadline = alert.ts + deadlineMin * MINUTE_MS;
  say('deadline', `处置时限 ${deadlineMin} 分钟，截止 ${formatLocal(deadline)}`, `Deadline ${deadlineMin} min: ${formatLocal(deadline)} (UTC+8)`);

  return {
    item,
    catalogueVersion: catalogue?.version ?? null,
    primaryUnit: primary,
    coNotified,
    boards,
    townCode: town?.code ?? null,
    districtCode,
    deadline,
    windowMin: item?.windowMin ?? UNMAPPED_ITEM.windowMin,
    needsConfirmation,
    reasons,
  };
}
