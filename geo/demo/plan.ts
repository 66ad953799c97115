/**
 * The demo city's plan: how many towns each of Ningbo's 10 districts gets (156 in all, the
 * count in the Ningbo report: "156个镇街指挥室"), which districts are urban, and where the urban
 * cores are, so grid cells are finer there (≈300 m) and coarser in the countryside.
 */
export interface DistrictPlan {
  code: string;
  towns: number;
  /** Urban districts (区 of the central city) get finer cells and mostly 街道. */
  urban: boolean;
  /** How many of the district's towns are 街道 (the rest are 镇, the last few 乡 in counties). */
  streets: number;
}

export const DISTRICT_PLANS: readonly DistrictPlan[] = [
  { code: '330203', towns: 17, urban: true, streets: 9 }, // 海曙区
  { code: '330205', towns: 8, urban: true, streets: 6 }, // 江北区
  { code: '330206', towns: 11, urban: true, streets: 9 }, // 北仑区
  { code: '330211', towns: 6, urban: true, streets: 4 }, // 镇海区
  { code: '330212', towns: 25, urban: true, streets: 17 }, // 鄞州区
  { code: '330213', towns: 12, urban: false, streets: 6 }, // 奉化区
  { code: '330225', towns: 18, urban: false, streets: 3 }, // 象山县
  { code: '330226', towns: 18, urban: false, streets: 4 }, // 宁海县
  { code: '330281', towns: 21, urban: false, streets: 6 }, // 余姚市
  { code: '330282', towns: 20, urban: false, streets: 5 }, // 慈溪市
];

/** Urban cores (WGS84 centre, radius km): 三江口 first, then the new towns and county seats. */
export const URBAN_CORES: readonly { lon: number; lat: number; radiusKm: number }[] = [
  { lon: 121.545, lat: 29.874, radiusKm: 7 }, // 三江口, the old city
  { lon: 121.556, lat: 29.815, radiusKm: 4 }, // 鄞州新城
  { lon: 121.713, lat: 29.952, radiusKm: 3 }, // 镇海
  { lon: 121.843, lat: 29.905, radiusKm: 4 }, // 北仑 新碶
  { lon: 121.152, lat: 30.040, radiusKm: 3 }, // 余姚
  { lon: 121.262, lat: 30.172, radiusKm: 4 }, // 慈溪
  { lon: 121.402, lat: 29.657, radiusKm: 3 }, // 奉化
  { lon: 121.428, lat: 29.292, radiusKm: 2.5 }, // 宁海
  { lon: 121.867, lat: 29.472, radiusKm: 2.5 }, // 象山
];

/** Grid-cell spacing (metres) by distance from the nearest urban core. */
export function cellSpacingM(distanceOutsideCoreKm: number, urban: boolean): number {
  if (distanceOutsideCoreKm <= 0) return 300;
  if (distanceOutsideCoreKm <= (urban ? 6 : 3)) return 600;
  if (urban || distanceOutsideCoreKm <= 12) return 1200;
  return 2400;
}
