import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import { toWgs84 } from '../../core/crs.js';
import type { TimeWindow, ZoneType } from '../types.js';
import { toDegrees, toMetric } from './frame.js';
import type { AreaProps, DemoJurisdictions } from './generate.js';
import { bboxOf, inMultiPolygon, type MultiPolygonCoords, type Position } from './geometry.js';
import type { Rng } from './prng.js';

export interface ZoneFeatureProps {
  code: string;
  name: string;
  type: ZoneType;
  attrs: Record<string, unknown>;
  bufferM?: number;
}

const WEEKDAYS = [1, 2, 3, 4, 5];
const NIGHT: TimeWindow = { from: '20:00', to: '06:00' };

// Streets of the old city (三江口), for no-parking names.
const STREETS = [...'中山东路 中山西路 解放南路 解放北路 药行街 开明街 江厦街 百丈路 兴宁路 天童南路 四明中路 宁穿路 世纪大道 钱湖北路 人民路 环城北路 大庆南路 新马路 日新街 灵桥路 县前街 柳汀街 长春路 鼓楼前'.split(' ')];

/**
 * The bridges over 奉化江, 姚江 and 甬江 near 三江口, as lines across the river (GCJ-02 ends,
 * read off a web map, converted to WGS84 like any Chinese web-map data).
 */
const BRIDGES: { name: string; river: string; a: Position; b: Position; custodian: string }[] = [
  // Custodians are units of the demo organisation (server/catalogue/demo): city bridges are
  // kept by the municipal facilities centre, the 甬江 road bridge by the highway centre.
  { name: '灵桥', river: '奉化江', a: [121.5537, 29.8709], b: [121.5579, 29.8716], custodian: 'custodian-municipal' },
  { name: '江厦桥', river: '奉化江', a: [121.5551, 29.8749], b: [121.5589, 29.8752], custodian: 'custodian-municipal' },
  { name: '琴桥', river: '奉化江', a: [121.5533, 29.8648], b: [121.5575, 29.8641], custodian: 'custodian-municipal' },
  { name: '解放桥', river: '姚江', a: [121.5528, 29.878], b: [121.5531, 29.8818], custodian: 'custodian-municipal' },
  { name: '新江桥', river: '姚江', a: [121.5561, 29.8778], b: [121.5571, 29.8811], custodian: 'custodian-municipal' },
  { name: '庆丰桥', river: '甬江', a: [121.569, 29.879], b: [121.5725, 29.8825], custodian: 'custodian-highway' },
];

const feature = (props: ZoneFeatureProps, geometry: Geometry): Feature<Geometry, ZoneFeatureProps> => ({ type: 'Feature', properties: props, geometry });

/** A closed rectangle (metres wide × high) centred on a WGS84 point. */
function rectangle(centre: Position, widthM: number, heightM: number): Position[][] {
  const [x, y] = toMetric(centre);
  const w = widthM / 2;
  const h = heightM / 2;
  const ring = [
    [x - w, y - h],
    [x + w, y - h],
    [x + w, y + h],
    [x - w, y + h],
    [x - w, y - h],
  ].map((p) => toDegrees(p as Position));
  return [ring];
}

/** A 32-gon of `radiusM` around a WGS84 point (counter-clockwise, closed). */
function circle(centre: Position, radiusM: number): Position[][] {
  const [x, y] = toMetric(centre);
  const ring: Position[] = [];
  for (let i = 0; i < 32; i++) {
    const a = (2 * Math.PI * i) / 32;
    ring.push(toDegrees([x + radiusM * Math.cos(a), y + radiusM * Math.sin(a)]));
  }
  ring.push(ring[0]!);
  return [ring];
}

/** A point inside a cell: its bounding-box centre, when that is inside (else the cell is skipped). */
function insidePoint(shape: MultiPolygonCoords): Position | null {
  const [x0, y0, x1, y1] = bboxOf(shape);
  const c: Position = [(x0 + x1) / 2, (y0 + y1) / 2];
  return inMultiPolygon(c[0], c[1], shape) ? c : null;
}

type Cell = Feature<MultiPolygon, AreaProps>;

/** Up to `n` distinct cells chosen at random from `cells` that have an inside point. */
function pickCells(cells: Cell[], n: number, rng: Rng): { cell: Cell; at: Position }[] {
  const out: { cell: Cell; at: Position }[] = [];
  const used = new Set<string>();
  for (let tries = 0; out.length < n && tries < n * 20; tries++) {
    const cell = rng.pick(cells);
    if (used.has(cell.properties.code)) continue;
    const at = insidePoint(cell.geometry.coordinates as MultiPolygonCoords);
    if (!at) continue;
    used.add(cell.properties.code);
    out.push({ cell, at });
  }
  return out;
}

/**
 * Zones of every type for the demo city: no-parking strips on old-city streets (road → 交警,
 * pavement → town team), licensed construction-waste disposal sites (消纳场) with night
 * opening hours plus one unlicensed, waste-truck route corridors from the city to the sites,
 * school zones active at school-run hours, and six bridges near 三江口 as buffered lines.
 */
export function generateZones(j: DemoJurisdictions, rng: Rng): FeatureCollection<Geometry, ZoneFeatureProps> {
  const zones: Feature<Geometry, ZoneFeatureProps>[] = [];
  const townKind = new Map(j.towns.features.map((t) => [t.properties.code, t.properties.name.slice(-2) === '街道' ? 'street' : 'town']));
  const townOf = (cell: Cell) => cell.properties.code.slice(0, 9);
  const districtOf = (cell: Cell) => cell.properties.code.slice(0, 6);
  const oldCity = new Set(['330203', '330205', '330212']);
  const urbanCells = j.grids.features.filter((c) => oldCity.has(districtOf(c)) && townKind.get(townOf(c)) === 'street');
  const ruralUrbanDistrictCells = j.grids.features.filter(
    (c) => ['330203', '330205', '330206', '330211', '330212'].includes(districtOf(c)) && townKind.get(townOf(c)) === 'town',
  );

  pickCells(urbanCells, 40, rng.fork('no-parking')).forEach(({ cell, at }, i) => {
    const road = i % 2 === 0;
    zones.push(
      feature(
        {
          code: `NP-${districtOf(cell)}-${String(i + 1).padStart(3, '0')}`,
          name: `${STREETS[i % STREETS.length]}${road ? '机动车道' : '人行道'}禁停区`,
          type: 'no-parking',
          attrs: { roadKind: road ? 'road' : 'pavement', dwellLimitS: road ? 300 : 600 },
        },
        { type: 'Polygon', coordinates: road ? rectangle(at, 160, 16) : rectangle(at, 80, 6) },
      ),
    );
  });

  const sites = pickCells(ruralUrbanDistrictCells, 7, rng.fork('disposal'));
  sites.forEach(({ cell, at }, i) => {
    const licensed = i < sites.length - 1;
    zones.push(
      feature(
        {
          code: `DS-${districtOf(cell)}-${String(i + 1).padStart(2, '0')}`,
          name: `${cell.properties.name.replace(/第\d+网格$/, '')}${licensed ? '建筑渣土消纳场' : '临时堆土点(无证)'}`,
          type: 'disposal-site',
          attrs: { licensed, openingHours: licensed ? (i % 2 ? [NIGHT] : [{ from: '07:00', to: '19:00' }, NIGHT]) : [] },
        },
        { type: 'Polygon', coordinates: rectangle(at, 320, 220) },
      ),
    );
  });

  // Corridors: from an old-city block to each licensed site, with a dog-leg midway.
  const starts = pickCells(urbanCells, 6, rng.fork('routes'));
  starts.forEach(({ at }, i) => {
    const site = sites[i % (sites.length - 1)]!.at;
    const [ax, ay] = toMetric(at);
    const [bx, by] = toMetric(site);
    const bend = toDegrees([ax + (bx - ax) * 0.5 + (by - ay) * 0.1, ay + (by - ay) * 0.5 - (bx - ax) * 0.1]);
    const permitId = `NB-ZT-2024-${String(i + 1).padStart(4, '0')}`;
    zones.push(
      feature(
        {
          code: `RC-${permitId}`,
          name: `渣土运输核准线路 ${permitId}`,
          type: 'route-corridor',
          attrs: { permitId, bufferM: 60, allowedHours: [NIGHT] },
        },
        { type: 'LineString', coordinates: [at, bend, site] },
      ),
    );
  });

  pickCells(urbanCells, 12, rng.fork('schools')).forEach(({ cell, at }, i) => {
    zones.push(
      feature(
        {
          code: `RS-${districtOf(cell)}-${String(i + 1).padStart(2, '0')}`,
          name: `${cell.properties.name.replace(/(社区|村)第\d+网格$/, '')}${i % 3 === 0 ? '中学' : '小学'}周边限行区`,
          type: 'restricted',
          attrs: {
            reason: '学校周边 school zone',
            activeHours: [
              { from: '07:00', to: '08:30', days: WEEKDAYS },
              { from: '16:00', to: '17:30', days: WEEKDAYS },
            ],
          },
        },
        { type: 'Polygon', coordinates: circle(at, 150) },
      ),
    );
  });

  BRIDGES.forEach((b, i) => {
    zones.push(
      feature(
        {
          code: `BR-${String(i + 1).padStart(2, '0')}`,
          name: `${b.name}(${b.river})`,
          type: 'bridge',
          bufferM: 15,
          attrs: {
            custodianUnitId: b.custodian,
            thresholds: {
              strainUe: { yellow: 150, orange: 250, red: 350 },
              displacementMm: { yellow: 20, orange: 35, red: 50 },
              tiltDeg: { yellow: 0.5, orange: 1, red: 1.5 },
              crackWidthMm: { yellow: 0.2, orange: 0.3, red: 0.5 },
            },
            sustainS: 60,
          },
        },
        { type: 'LineString', coordinates: [toWgs84(...b.a, 'gcj02'), toWgs84(...b.b, 'gcj02')] },
      ),
    );
  });
  return { type: 'FeatureCollection', features: zones };
}
