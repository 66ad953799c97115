import { z } from 'zod';
import type { CatalogueHistory, CatalogueSnapshot } from './catalogue-at.js';
import { catalogueItemSchema, catalogueVersionSchema, townItemsSchema, type CatalogueVersion } from './model.js';

const { version, effectiveFrom, note } = catalogueVersionSchema.shape;

/** GET /api/v1/catalogue: one version's items, each with the towns empowered for it, and each town's items. */
export const catalogueViewSchema = z.strictObject({
  version,
  effectiveFrom,
  note,
  items: z.array(z.strictObject({ ...catalogueItemSchema.shape, empoweredTowns: z.array(z.string()) })),
  towns: z.array(
    z.strictObject({
      townCode: z.string(),
      /** The items the town holds, since which date and by which version's grant. */
      items: z.array(z.strictObject({ itemCode: z.string(), since: z.iso.date(), version })),
    }),
  ),
});
export type CatalogueView = z.infer<typeof catalogueViewSchema>;

/** The view of one catalogue version (`catalogueViewSchema`). */
export function catalogueView(snapshot: CatalogueSnapshot): CatalogueView {
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
 * One version in GET /api/v1/catalogue/versions: what it changed (items added or changed,
 * withdrawn, grants, revocations), the size of the catalogue it made, and whether it is the
 * one in force now.
 */
export const versionViewSchema = z.strictObject({
  version,
  effectiveFrom,
  /** Local midnight of `effectiveFrom`; null when the version is not in the compiled history. */
  inForceFrom: z.iso.datetime().nullable(),
  inForce: z.boolean(),
  note,
  itemsAddedOrChanged: z.array(z.string()),
  withdrawn: z.array(z.string()),
  grants: z.array(townItemsSchema),
  revocations: z.array(townItemsSchema),
  itemCount: z.number().int().nonnegative(),
  empoweredTownCount: z.number().int().nonnegative(),
});
export type VersionView = z.infer<typeof versionViewSchema>;

/** The history, oldest first (`versionViewSchema`); `inForce` is the version in force now. */
export function versionsView(versions: readonly CatalogueVersion[], history: CatalogueHistory, inForce: number | null): VersionView[] {
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
