import type { DepartmentKind, Unit } from './model.js';

type Of<K extends Unit['kind']> = Extract<Unit, { kind: K }>;

/** Units indexed the ways the router looks them up. Built once per import. */
export interface UnitDirectory {
  byId: ReadonlyMap<string, Unit>;
  townTeams: ReadonlyMap<string, Of<'town-team'>>;
  /** Key `${districtCode}:${department}`. */
  departments: ReadonlyMap<string, Of<'district-department'>>;
  /** District code → office; the city-level office under key `null`. */
  coordinationOffices: ReadonlyMap<string | null, Of<'coordination-office'>>;
  /** Linked town code → its hub (1+X). */
  hubOfTown: ReadonlyMap<string, Of<'hub'>>;
  /** Asset code → custodian, from the custodians' asset lists. */
  custodianOfAsset: ReadonlyMap<string, Of<'custodian'>>;
  /** District code → gas utilities serving it. */
  gasUtilities: ReadonlyMap<string, Of<'utility'>[]>;
}

/** Indexes units for routing (the lists are validated by `unitsSchema` on import). */
export function indexUnits(units: readonly Unit[]): UnitDirectory {
  const d = {
    byId: new Map<string, Unit>(),
    townTeams: new Map<string, Of<'town-team'>>(),
    departments: new Map<string, Of<'district-department'>>(),
    coordinationOffices: new Map<string | null, Of<'coordination-office'>>(),
    hubOfTown: new Map<string, Of<'hub'>>(),
    custodianOfAsset: new Map<string, Of<'custodian'>>(),
    gasUtilities: new Map<string, Of<'utility'>[]>(),
  };
  for (const u of units) {
    d.byId.set(u.id, u);
    switch (u.kind) {
      case 'town-team':
        d.townTeams.set(u.townCode, u);
        break;
      case 'district-department':
        d.departments.set(departmentKey(u.districtCode, u.department), u);
        break;
      case 'coordination-office':
        d.coordinationOffices.set(u.districtCode, u);
        break;
      case 'hub':
        for (const t of u.linkedTownCodes) d.hubOfTown.set(t, u);
        break;
      case 'custodian':
        for (const a of u.assetCodes) d.custodianOfAsset.set(a, u);
        break;
      case 'utility':
        for (const c of u.districtCodes) d.gasUtilities.set(c, [...(d.gasUtilities.get(c) ?? []), u]);
        break;
    }
  }
  return d;
}

/** Key of a district department in `UnitDirectory.departments`. */
export function departmentKey(districtCode: string | null, department: DepartmentKind): string {
  return `${districtCode}:${department}`;
}
