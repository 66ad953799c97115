import type { CatalogueHistory, CatalogueSnapshot, Grant } from './catalogue-at.js';
import type { CatalogueItem, CatalogueVersion } from './model.js';

/** GET /api/v1/catalogue: one version's items, each with the towns empowered for it, and each town's items. */
export function catalogueView(snapshot: CatalogueSnapshot): {
  version: number;
  effectiveFrom: string;
  note: { zh: string; en: string };
  items: (CatalogueItem & { empoweredTowns: string[] })[];
  towns: { townCode: string; items: ({ itemCode: string } & Grant)[] }[];
} {
  const towns = Object.entries(snapshot.empowerment)
    .filter(([, held]) => Object.keys(held).length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([townCode, held]) => ({
      townCode,
      items: Object.entries(held)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([itemCode, grant]) => ({ itemCode, ...grant })),
    }));
  const empoweredTowns = new Map<string, string[]>();
  for (const t of towns) for (const i of t.items) empoweredTowns.set(i.itemCode, [...(empoweredTowns.get(i.itemCode) ?? []), t.townCode]);
  const items = Object.values(snapshot.items)
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((item) => ({ ...item, empoweredTowns: empoweredTowns.get(item.code) ?? [] }));
  return { version: snapshot.version, effectiveFrom: snapshot.effectiveFrom, note: snapshot.note, items, towns };
}

/**
 * GET /api/v1/catalogue/versions: the history, oldest first, each version with what it changed
 * (items added or changed, withdrawn, grants, revocations), the size of the catalogue it made,
 * and whether it is the one in force at `now`.
 */
export function versionsView(versions: readonly CatalogueVersion[], history: CatalogueHistory, inForce: number | null) {
  return versions.map((v) => {
    const snapshot = history.find((s) => s.version === v.version);
    return {
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      inForceFrom: snapshot ? new Date(snapshot.effectiveFromMs).toISOString() : null,
      inForce: v.version === inForce,
      note: v.note,
      itemsAddedOrChanged: v.items.map((i) => i.code),
      withdrawn: v.withdrawn,
      grants: v.grants,
      revocations: v.revocations,
      itemCount: snapshot ? Object.keys(snapshot.items).length : 0,
      empoweredTownCount: snapshot ? Object.values(snapshot.empowerment).filter((held) => Object.keys(held).length > 0).length : 0,
    };
  });
}
