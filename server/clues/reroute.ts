import type { LocateResult } from '../../geo/types.js';
import { catalogueAt, type CatalogueHistory } from '../catalogue/catalogue-at.js';
import type { UnitDirectory } from '../catalogue/units.js';
import type { Alert } from '../detection/alert.js';
import { route } from '../routing/route-clue.js';
import type { ItemFacts, Routing } from './lifecycle.js';
import type { StoredClue } from './stored-clue.js';

/** What the lifecycle shell needs to route a clue again and to look up its item. */
export interface RoutingContext {
  units: UnitDirectory;
  history: CatalogueHistory;
  locate: (lon: number, lat: number) => LocateResult;
}

/** The catalogue facts of the clue's item, in the version it was routed under. */
export function itemFactsOf(history: CatalogueHistory, clue: Pick<StoredClue, 'itemCode' | 'catalogueVersion'>): ItemFacts {
  const version = history.find((v) => v.version === clue.catalogueVersion);
  const item = clue.itemCode === null ? undefined : version?.items[clue.itemCode];
  return { closeAtSource: item?.closeAtSource ?? false };
}

/**
 * Routes a stored clue again, as if its opening alert came in at `now`: the pure router under
 * the catalogue version in force now, at the clue's position. A bridge clue keeps its bridge:
 * the custodian comes from the bridge zone found at the position, as when it was opened.
 */
export function rerouteClue(clue: StoredClue, ctx: RoutingContext, now: number): { routing: Routing; itemName: { zh: string; en: string } | null } {
  const location = ctx.locate(clue.position.lon, clue.position.lat);
  const bridge = location.zones.find((z) => z.type === 'bridge' && z.code === clue.assetKey);
  const alert: Alert = {
    type: clue.alertType,
    severity: clue.severity,
    disposition: clue.review ? 'review' : 'clue',
    deviceKind: clue.device?.kind ?? 'waste-truck',
    deviceId: clue.device?.id ?? clue.assetKey,
    ts: now,
    position: clue.position,
    assetKey: clue.assetKey,
    ...(bridge?.type === 'bridge' ? { asset: { type: 'bridge', code: bridge.code, custodianUnitId: bridge.attrs.custodianUnitId } } : {}),
    evidence: { eventIds: [] },
    details: {},
    summary: clue.summary,
  };
  const d = route(alert, location, catalogueAt(ctx.history, now), ctx.units);
  return {
    routing: {
      itemCode: d.item?.code ?? null,
      catalogueVersion: d.catalogueVersion,
      primaryUnitId: d.primaryUnit.id,
      coNotifiedUnitIds: d.coNotified.map((u) => u.id),
      boardUnitIds: d.boards.map((u) => u.id),
      needsConfirmation: d.needsConfirmation,
      reasons: d.reasons,
    },
    itemName: d.item?.name ?? null,
  };
}
