import type { LocateResult } from '../../geo/types.js';
import type { Alert } from '../../server/detection/alert.js';
import { compileCatalogue } from '../../server/catalogue/catalogue-at.js';
import { demoItems } from '../../server/catalogue/demo/index.js';
import { catalogueVersionsSchema, unitsSchema } from '../../server/catalogue/model.js';
import { indexUnits } from '../../server/catalogue/units.js';

/** A small district for routing: three towns, one empowered and hub of another, and its units. */
export const SHIQI = { code: '330203001', name: '石碶街道' }; // empowered; hub of 集士港镇
export const JISHIGANG = { code: '330203002', name: '集士港镇' }; // not empowered; linked to the 石碶 hub
export const GULIN = { code: '330203003', name: '古林镇' }; // not empowered
export const HAISHU = { code: '330203', name: '海曙区' };

export const units = indexUnits(
  unitsSchema.parse([
    { kind: 'coordination-office', id: 'coord-city', districtCode: null, name: { zh: '市综合行政执法指导办公室', en: 'City Coordination Office' } },
    { kind: 'coordination-office', id: 'coord-330203', districtCode: '330203', name: { zh: '海曙区综合行政执法指导办公室', en: 'Haishu Coordination Office' } },
    ...(['construction', 'transport', 'traffic-police', 'emergency'] as const).map((department) => ({
      kind: 'district-department',
      id: `dept-330203-${department}`,
      districtCode: '330203',
      department,
      name: { zh: `海曙区${department}`, en: `Haishu ${department}` },
    })),
    ...[SHIQI, JISHIGANG, GULIN].map((t) => ({
      kind: 'town-team',
      id: `team-${t.code}`,
      districtCode: '330203',
      townCode: t.code,
      name: { zh: `${t.name}综合行政执法队`, en: `${t.name} team` },
    })),
    { kind: 'hub', id: 'hub-330203001', districtCode: '330203', townCode: SHIQI.code, linkedTownCodes: [JISHIGANG.code], name: { zh: '石碶片区', en: 'Shiqi hub' } },
    { kind: 'utility', service: 'gas', id: 'utility-gas-north', districtCode: null, districtCodes: ['330203'], name: { zh: '北片燃气', en: 'North Gas' } },
    { kind: 'custodian', id: 'custodian-municipal', districtCode: null, assetCodes: ['BR-02'], name: { zh: '市市政设施养护中心', en: 'Municipal Facilities Centre' } },
  ]),
);

const items = demoItems();
/** Catalogue v6 (2023-06-01) and v7 (2024-03-01): v7 grants 住建-渣土-03 to 石碶 and takes 住建-渣土-01 back. */
export const history = compileCatalogue(
  catalogueVersionsSchema.parse([
    {
      version: 6,
      effectiveFrom: '2023-06-01',
      note: { zh: '2023 版', en: '2023 list' },
      items,
      grants: [{ townCode: SHIQI.code, itemCodes: ['住建-渣土-01', '住建-燃气-01'] }],
    },
    {
      version: 7,
      effectiveFrom: '2024-03-01',
      note: { zh: '动态调整', en: 'revision' },
      grants: [{ townCode: SHIQI.code, itemCodes: ['住建-渣土-03'] }],
      revocations: [{ townCode: SHIQI.code, itemCodes: ['住建-渣土-01'] }],
    },
  ]),
);

export const MARCH_1 = Date.parse('2024-03-01T00:00:00+08:00');
export const T = Date.parse('2024-05-06T10:00:00+08:00');

/** An alert of `type` at T. */
export function alert(type: Alert['type'], over: Partial<Alert> = {}): Alert {
  return {
    type,
    severity: 'high',
    disposition: 'clue',
    deviceKind: 'waste-truck',
    deviceId: 'dev-1',
    ts: T,
    position: { lon: 121.5, lat: 29.8 },
    assetKey: 'dev-1',
    evidence: { eventIds: ['e1'] },
    details: {},
    summary: { zh: '测试', en: 'test' },
    ...over,
  };
}

/** A location in `town` (district 海曙区), or in none. */
export function at(town: { code: string; name: string } | null, over: Partial<LocateResult> = {}): LocateResult {
  return {
    lon: 121.5,
    lat: 29.8,
    grid: town ? { code: `${town.code}001001`, name: '网格' } : null,
    community: town ? { code: `${town.code}001`, name: '社区' } : null,
    town,
    district: town ? HAISHU : null,
    zones: [],
    onBoundary: false,
    distanceToEdgeM: 80,
    ...over,
  };
}
