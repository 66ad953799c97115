import type { AlertType } from '../detection/alert.js';
import { localMidnight } from '../detection/time-window.js';
import type { CatalogueItem, CatalogueVersion } from './model.js';

/** A town's hold on an item: since which date, granted by which version. */
export interface Grant {
  since: string;
  version: number;
}

/** The catalogue as it stands in one version: what the router reads. */
export interface CatalogueSnapshot {
  version: number;
  effectiveFrom: string;
  /** Local midnight (Asia/Shanghai) of `effectiveFrom`, ms since epoch. */
  effectiveFromMs: number;
  note: { zh: string; en: string };
  items: Record<string, CatalogueItem>;
  itemByAlertType: Partial<Record<AlertType, string>>;
  /** Empowerment (赋权): town code → item code → grant. */
  empowerment: Record<string, Record<string, Grant>>;
}

/** Snapshots of every version, oldest first, built once per import (see `compileCatalogue`). */
export type CatalogueHistory = readonly CatalogueSnapshot[];

/**
 * Folds the versions (each a change on the one before) into one snapshot per version. Done
 * once per import, so `catalogueAt` on the hot path is a lookup. Versions are taken in version
 * order; `catalogueVersionsSchema` has already checked that dates follow it.
 */
export function compileCatalogue(versions: readonly CatalogueVersion[]): CatalogueHistory {
  const snapshots: CatalogueSnapshot[] = [];
  let items: Record<string, CatalogueItem> = {};
  let empowerment: Record<string, Record<string, Grant>> = {};
  for (const v of [...versions].sort((a, b) => a.version - b.version)) {
    items = { ...items };
    for (const item of v.items) items[item.code] = item;
    for (const code of v.withdrawn) delete items[code];
    // Copy on write: a town's map is copied only when this version changes it.
    empowerment = { ...empowerment };
    const edit = (town: string) => (empowerment[town] = { ...empowerment[town] });
    for (const g of v.grants) {
      const held = edit(g.townCode);
      for (const code of g.itemCodes) held[code] ??= { since: v.effectiveFrom, version: v.version };
    }
    for (const r of v.revocations) {
      const held = edit(r.townCode);
      for (const code of r.itemCodes) delete held[code];
    }
    if (v.withdrawn.length > 0)
      for (const town of Object.keys(empowerment)) {
        const held = edit(town);
        for (const code of v.withdrawn) delete held[code];
      }
    const itemByAlertType: Partial<Record<AlertType, string>> = {};
    for (const item of Object.values(items)) for (const type of item.alertTypes) itemByAlertType[type] = item.code;
    snapshots.push({
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      effectiveFromMs: localMidnight(v.effectiveFrom),
      note: v.note,
      items,
      itemByAlertType,
      empowerment,
    });
  }
  return snapshots;
}

/**
 * The catalogue version in force at `at` (ms): the latest one whose `effectiveFrom` local
 * midnight is at or before `at`. Null before the first version.
 */
export function catalogueAt(history: CatalogueHistory, at: number): CatalogueSnapshot | null {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.effectiveFromMs <= at) return history[i]!;
  return null;
}
