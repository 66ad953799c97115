/**
 * A small deterministic city for clue-pipeline and end-to-end tests: one district (海曙区) of
 * two towns side by side, each one community of two grid cells, with a licensed disposal site,
 * a pavement no-parking zone and a monitored bridge; its units; a two-version catalogue from
 * the demo items in which only the western town (石碶街道) is empowered; and the devices.
 *
 *        121.50        121.53        121.56
 *  29.90 ┌─────────────┬─────────────┐
 *        │ A-002  NP-01│ B-002       │      A = 石碶街道 (empowered), B = 古林镇 (not)
 *  29.88 ├─────────────┼─────────────┤
 *        │ A-001  DS-01│ B-001  BR-01│
 *  29.86 └─────────────┴─────────────┘
 */
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { buildLocator } from '../../../geo/locator/build-locator.js';
import type { GeoLayer } from '../../../geo/types.js';
import { demoItems } from '../../../server/catalogue/demo/index.js';
import { catalogueDataSchema, type CatalogueData } from '../../../server/catalogue/model.js';
import type { DeviceKind } from '../../../ingest/device-event.js';
import type { CatalogueStore } from '../../../server/catalogue/catalogue-store.js';
import type { RoutingContext } from '../../../server/clues/reroute.js';

type Box = [number, number, number, number];
const ring = ([w, s, e, n]: Box) => [[[w, s], [e, s], [e, n], [w, n], [w, s]]];
const mp = (b: Box): MultiPolygon => ({ type: 'MultiPolygon', coordinates: [ring(b)] });

export const DISTRICT = { code: '330203', name: '海曙区' };
export const TOWN_A = { code: '330203001', name: '石碶街道' };
export const TOWN_B = { code: '330203002', name: '古林镇' };

/** Points inside the zones and cells, WGS84. */
export const PLACES = {
  /** Town A, cell A-001, outside the disposal site. */
  dumpA: { lon: 121.512, lat: 29.865 },
  /** Town B, cell B-002. */
  dumpB: { lon: 121.545, lat: 29.895 },
  /** Inside the licensed disposal site DS-01 (town A). */
  site: { lon: 121.52, lat: 29.87 },
  /** Town A, cell A-002 (a restaurant's gas sensor). */
  gas: { lon: 121.505, lat: 29.895 },
  /** On bridge BR-01 (town B). */
  bridge: { lon: 121.545, lat: 29.87 },
  /** In the pavement no-parking zone NP-01 (town A). */
  pavement: { lon: 121.52, lat: 29.89 },
} as const;

const BOXES = {
  district: [121.5, 29.86, 121.56, 29.9] as Box,
  townA: [121.5, 29.86, 121.53, 29.9] as Box,
  townB: [121.53, 29.86, 121.56, 29.9] as Box,
  site: [121.518, 29.868, 121.522, 29.872] as Box,
  pavement: [121.518, 29.889, 121.522, 29.891] as Box,
  bridge: [121.543, 29.869, 121.547, 29.871] as Box,
};

/** Bridge BR-01: strain thresholds and a 60 s sustain window. */
export const BRIDGE = {
  code: 'BR-01',
  name: '望春桥',
  attrs: { custodianUnitId: 'custodian-municipal', thresholds: { strainUe: { yellow: 100, orange: 150, red: 200 } }, sustainS: 60 },
};
/** Pavement no-parking zone NP-01: ten minutes allowed. */
export const PAVEMENT = { code: 'NP-01', name: '中山西路人行道', attrs: { roadKind: 'pavement' as const, dwellLimitS: 600 } };

const area = (code: string, name: string, parentCode: string | null, box: Box) => ({
  type: 'Feature' as const,
  properties: { code, name, ...(parentCode ? { parentCode } : {}) },
  geometry: mp(box),
});
const half = ([w, s, e, n]: Box, upper: boolean): Box => (upper ? [w, (s + n) / 2, e, n] : [w, s, e, (s + n) / 2]);

/** The city as GeoJSON per import layer, in import order. */
export function miniLayers(): { layer: GeoLayer; fc: FeatureCollection }[] {
  const towns = [
    [TOWN_A, BOXES.townA],
    [TOWN_B, BOXES.townB],
  ] as const;
  return [
    { layer: 'districts', fc: { type: 'FeatureCollection', features: [area(DISTRICT.code, DISTRICT.name, null, BOXES.district)] } },
    { layer: 'towns', fc: { type: 'FeatureCollection', features: towns.map(([t, b]) => area(t.code, t.name, DISTRICT.code, b)) } },
    { layer: 'communities', fc: { type: 'FeatureCollection', features: towns.map(([t, b]) => area(`${t.code}001`, `${t.name}一社区`, t.code, b)) } },
    {
      layer: 'grids',
      fc: {
        type: 'FeatureCollection',
        features: towns.flatMap(([t, b]) => [1, 2].map((i) => area(`${t.code}001${String(i).padStart(3, '0')}`, `${t.name}网格${i}`, `${t.code}001`, half(b, i === 2)))),
      },
    },
    {
      layer: 'zones',
      fc: {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { code: 'DS-01', name: '石碶消纳场', type: 'disposal-site', attrs: { licensed: true, openingHours: [{ from: '00:00', to: '00:00' }] } }, geometry: mp(BOXES.site) },
          { type: 'Feature', properties: { ...PAVEMENT, type: 'no-parking' }, geometry: mp(BOXES.pavement) },
          { type: 'Feature', properties: { ...BRIDGE, type: 'bridge' }, geometry: mp(BOXES.bridge) },
        ],
      },
    },
  ];
}

/** The same city as an in-memory locator (no database), for pipeline tests. */
export function miniLocator() {
  const layers = Object.fromEntries(miniLayers().map((l) => [l.layer, l.fc.features])) as Record<GeoLayer, any[]>;
  const level = { districts: 'district', towns: 'town', communities: 'community' } as const;
  return buildLocator({
    jurisdictions: (['districts', 'towns', 'communities'] as const).flatMap((l) =>
      layers[l].map((f) => ({ level: level[l], code: f.properties.code, name: f.properties.name, parentCode: f.properties.parentCode ?? null })),
    ),
    cells: layers.grids.map((f) => ({ code: f.properties.code, name: f.properties.name, communityCode: f.properties.parentCode, geometry: f.geometry.coordinates })),
    zones: layers.zones.map((f) => ({ code: f.properties.code, name: f.properties.name, type: f.properties.type, attrs: f.properties.attrs, geometry: f.geometry.coordinates })),
  });
}

/** What a person's action needs from the mini city to re-route a clue: its units, catalogue history and locator. */
export function miniRouting(store: CatalogueStore): () => RoutingContext {
  const locator = miniLocator();
  return () => ({ units: store.current().directory, history: store.current().history, locate: (lon, lat) => locator.locate(lon, lat) });
}

/**
 * Units and catalogue: v1 (2024-01-01) with every demo item, town A empowered for the
 * delegable items; v2 (2025-01-01) takes 住建-燃气-02 back from town A. Both are in force well
 * before any test's events.
 */
export function miniCatalogue(): CatalogueData {
  const items = demoItems();
  const delegable = items.filter((i) => i.assignment === 'delegable').map((i) => i.code);
  const dept = (department: string, zh: string, en: string) => ({
    kind: 'district-department', id: `dept-330203-${department}`, districtCode: DISTRICT.code, department, name: { zh: `海曙区${zh}`, en: `Haishu ${en}` },
  });
  return catalogueDataSchema.parse({
    units: [
      { kind: 'coordination-office', id: 'coord-city', districtCode: null, name: { zh: '市综合行政执法指导办公室', en: 'City Coordination Office' } },
      { kind: 'coordination-office', id: 'coord-330203', districtCode: DISTRICT.code, name: { zh: '海曙区综合行政执法指导办公室', en: 'Haishu Coordination Office' } },
      dept('construction', '住房和城乡建设局', 'Housing and Construction Bureau'),
      dept('transport', '交通运输局', 'Transport Bureau'),
      dept('traffic-police', '公安交警大队', 'Traffic Police Brigade'),
      dept('emergency', '应急管理局', 'Emergency Management Bureau'),
      dept('city-management', '综合行政执法局', 'Comprehensive Enforcement Bureau'),
      ...[TOWN_A, TOWN_B].map((t) => ({ kind: 'town-team', id: `team-${t.code}`, districtCode: DISTRICT.code, townCode: t.code, name: { zh: `${t.name}综合行政执法队`, en: `${t.name} enforcement team` } })),
      { kind: 'utility', service: 'gas', id: 'utility-gas', districtCode: null, districtCodes: [DISTRICT.code], name: { zh: '宁波燃气', en: 'Ningbo Gas' } },
      { kind: 'custodian', id: 'custodian-municipal', districtCode: null, assetCodes: [], name: { zh: '市市政设施养护中心', en: 'Municipal Facilities Maintenance Centre' } },
    ],
    versions: [
      { version: 1, effectiveFrom: '2024-01-01', note: { zh: '2024 版', en: '2024 list' }, items, grants: [{ townCode: TOWN_A.code, itemCodes: delegable }] },
      { version: 2, effectiveFrom: '2025-01-01', note: { zh: '动态调整', en: 'revision' }, revocations: [{ townCode: TOWN_A.code, itemCodes: ['住建-燃气-02'] }] },
    ],
  });
}

/** The devices and their registration metadata. */
export const DEVICES: { id: string; kind: DeviceKind; metadata: Record<string, unknown> }[] = [
  { id: 'truck-a', kind: 'waste-truck', metadata: {} },
  { id: 'truck-b', kind: 'waste-truck', metadata: {} },
  { id: 'gas-a', kind: 'gas-sensor', metadata: { reportingIntervalS: 60 } },
  { id: 'bridge-1', kind: 'bridge-sensor', metadata: { bridge: BRIDGE } },
  /** On BR-01 with no bridge in its registration: the zone at its position names the bridge. */
  { id: 'bridge-2', kind: 'bridge-sensor', metadata: {} },
  { id: 'camera-1', kind: 'parking-camera', metadata: { noParkingZones: [PAVEMENT] } },
];
