import { DEPARTMENT_KINDS, DEPARTMENT_NAMES, type Unit } from '../model.js';

/** A town of the demo city, as the geo demo generates them. */
export interface DemoTown {
  code: string;
  name: string;
  districtCode: string;
  districtName?: string;
}

/** The demo city's organisation: every unit, and which towns are empowered (赋权镇街). */
export interface DemoOrganisation {
  units: Unit[];
  empoweredTownCodes: string[];
}

/** Bridge custodians of the demo city; the geo demo's bridge zones name these as `custodianUnitId`. */
export const DEMO_BRIDGE_CUSTODIANS = [
  { id: 'custodian-municipal', name: { zh: '市市政设施养护中心', en: 'Municipal Facilities Maintenance Centre' } },
  { id: 'custodian-highway', name: { zh: '市公路与运输管理中心', en: 'Highway and Transport Management Centre' } },
] as const;

/** Ningbo: 86 of 156 towns empowered (55 %); the other 70 work with posted department teams. */
const EMPOWERED_SHARE = 86 / 156;
/** At most this many small towns are linked to one hub town (1+X 片区). */
const MAX_LINKED = 4;

/** FNV-1a hash of seed and key: a stable pseudo-random rank that does not depend on input order. */
function rank(seed: number | string, key: string): number {
  const s = `${seed}|${key}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Picks 55 % of the towns, spread over the districts in proportion to their size (largest
 * remainder, ties to the lower district code), each district's first towns in `ordered`.
 */
function empoweredPerDistrict(ordered: readonly DemoTown[], districtCodes: readonly string[]): string[] {
  const total = Math.round(ordered.length * EMPOWERED_SHARE);
  const perDistrict = districtCodes.map((code) => {
    const inDistrict = ordered.filter((t) => t.districtCode === code);
    const quota = (inDistrict.length * total) / ordered.length;
    return { inDistrict, quota, count: Math.floor(quota) };
  });
  const left = total - perDistrict.reduce((sum, d) => sum + d.count, 0);
  [...perDistrict].sort((a, b) => b.quota - b.count - (a.quota - a.count)).slice(0, left).forEach((d) => d.count++);
  return perDistrict.flatMap((d) => d.inDistrict.slice(0, d.count).map((t) => t.code));
}

/**
 * The demo city's organisation from its towns, deterministically for a seed: 55 % of towns
 * empowered (86 of 156, as in Ningbo) in every district, a hub town with up to four linked unempowered towns in
 * each district that has at least two of those (Quzhou's 1+X), one team per town, every
 * district department, a co-ordination office per district and one for the city, traffic
 * police (a district department), two gas utilities splitting the districts, and the bridge
 * custodians.
 */
export function demoEmpowerment(towns: readonly DemoTown[], seed: number | string): DemoOrganisation {
  const ordered = [...towns].sort((a, b) => rank(seed, a.code) - rank(seed, b.code) || a.code.localeCompare(b.code));
  const districts = [...new Map(towns.map((t) => [t.districtCode, t.districtName ?? t.districtCode])).entries()].sort(
    ([a], [b]) => a.localeCompare(b),
  );
  const empowered = new Set(empoweredPerDistrict(ordered, districts.map(([code]) => code)));

  const units: Unit[] = [
    { kind: 'coordination-office', id: 'coord-city', districtCode: null, name: { zh: '市综合行政执法指导办公室', en: 'City Enforcement Coordination Office' } },
    ...DEMO_BRIDGE_CUSTODIANS.map((c): Unit => ({ kind: 'custodian', id: c.id, districtCode: null, name: c.name, assetCodes: [] })),
  ];
  const half = Math.ceil(districts.length / 2);
  const utilities = [
    { key: 'north', zh: '北片', en: 'North', share: districts.slice(0, half) },
    { key: 'south', zh: '南片', en: 'South', share: districts.slice(half) },
  ];
  for (const u of utilities)
    if (u.share.length > 0)
      units.push({
        kind: 'utility',
        service: 'gas',
        id: `utility-gas-${u.key}`,
        districtCode: null,
        name: { zh: `${u.zh}燃气有限公司`, en: `${u.en} Gas Company` },
        districtCodes: u.share.map(([code]) => code),
      });

  for (const [districtCode, districtName] of districts) {
    units.push({
      kind: 'coordination-office',
      id: `coord-${districtCode}`,
      districtCode,
      name: { zh: `${districtName}综合行政执法指导办公室`, en: `${districtName} Enforcement Coordination Office` },
    });
    for (const department of DEPARTMENT_KINDS)
      units.push({
        kind: 'district-department',
        id: `dept-${districtCode}-${department}`,
        districtCode,
        department,
        name: { zh: `${districtName}${DEPARTMENT_NAMES[department].zh}`, en: `${districtName} ${DEPARTMENT_NAMES[department].en}` },
      });
    const inDistrict = ordered.filter((t) => t.districtCode === districtCode);
    for (const t of inDistrict)
      units.push({
        kind: 'town-team',
        id: `team-${t.code}`,
        districtCode,
        townCode: t.code,
        name: { zh: `${t.name}综合行政执法队`, en: `${t.name} Comprehensive Enforcement Team` },
      });
    const hub = inDistrict.find((t) => empowered.has(t.code));
    const linked = inDistrict.filter((t) => !empowered.has(t.code)).slice(0, MAX_LINKED);
    if (hub && linked.length >= 2)
      units.push({
        kind: 'hub',
        id: `hub-${hub.code}`,
        districtCode,
        townCode: hub.code,
        linkedTownCodes: linked.map((t) => t.code),
        name: { zh: `${hub.name}片区指挥平台`, en: `${hub.name} Hub Command Platform (1+X)` },
      });
  }
  return { units, empoweredTownCodes: [...empowered].sort() };
}
