import { unitSchema, type Unit } from './model.js';

/** A `units` row as the SQL in this folder reads and writes it. */
export interface UnitRow {
  id: string;
  kind: Unit['kind'];
  name: string;
  name_en: string | null;
  district_code: string | null;
  town_code: string | null;
  department: string | null;
  linked_town_codes: string[];
  asset_codes: string[];
  service: string | null;
  served_district_codes: string[];
}

/** A unit as its `units` row: one column per field, so SQL can filter on them. */
export function unitToRow(u: Unit): UnitRow {
  return {
    id: u.id,
    kind: u.kind,
    name: u.name.zh,
    name_en: u.name.en,
    district_code: u.districtCode,
    town_code: u.kind === 'town-team' || u.kind === 'hub' ? u.townCode : null,
    department: u.kind === 'district-department' ? u.department : null,
    linked_town_codes: u.kind === 'hub' ? u.linkedTownCodes : [],
    asset_codes: u.kind === 'custodian' ? u.assetCodes : [],
    service: u.kind === 'utility' ? u.service : null,
    served_district_codes: u.kind === 'utility' ? u.districtCodes : [],
  };
}

/**
 * A unit from its row, validated by `unitSchema`: rows written by other tools (or of the 001
 * schema's extra kinds, such as 'duty-desk') must not reach the router unchecked.
 */
export function unitFromRow(r: UnitRow): ReturnType<typeof unitSchema.safeParse> {
  return unitSchema.safeParse({
    id: r.id,
    kind: r.kind,
    name: { zh: r.name, en: r.name_en ?? r.name },
    districtCode: r.district_code,
    townCode: r.town_code ?? undefined,
    department: r.department ?? undefined,
    linkedTownCodes: r.linked_town_codes,
    assetCodes: r.asset_codes,
    service: r.service ?? undefined,
    districtCodes: r.served_district_codes,
  });
}
