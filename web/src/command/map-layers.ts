import type { Feature } from 'geojson';
import type { Map, VectorSourceSpecification } from 'maplibre-gl';

/** The boundary layers the operator can switch on and off. */
export const BOUNDARY_LAYERS = ['district', 'town', 'community', 'grid', 'zone'] as const;
export type BoundaryLayer = (typeof BOUNDARY_LAYERS)[number];

/** Line colour and width per layer: coarser levels draw darker and thicker. */
const STYLE: Record<BoundaryLayer, { color: string; width: number }> = {
  district: { color: '#3b4a5c', width: 1.8 },
  town: { color: '#6d7c8d', width: 1.1 },
  community: { color: '#98a6b5', width: 0.8 },
  grid: { color: '#b8c3cf', width: 0.5 },
  zone: { color: '#c2185b', width: 1.2 },
};

/**
 * Past this zoom MapLibre magnifies the last tiles instead of asking for more: a grid cell is
 * about 100 m, which z16 tiles (≈ 2 m per pixel) already draw exactly.
 */
const TILE_MAX_ZOOM = 16;

/**
 * The MapLibre source of a boundary layer: the server's vector tiles (GET /api/v1/tiles/:layer/…,
 * scoped to the user, one MVT layer named after the layer, features with `code` and `name`). The
 * URL is absolute because MapLibre fetches tiles from its worker; the session's token is added by
 * the base map's transformRequest (base-map.ts). This is the one place that names where
 * boundaries come from.
 */
export function boundarySource(layer: BoundaryLayer): VectorSourceSpecification {
  return { type: 'vector', tiles: [`${location.origin}/api/v1/tiles/${layer}/{z}/{x}/{y}.pbf`], maxzoom: TILE_MAX_ZOOM };
}

/** Adds a boundary layer's source and line layer (once), and makes it visible. */
export function showBoundary(map: Map, layer: BoundaryLayer): void {
  const id = `b-${layer}`;
  if (!map.getSource(id)) map.addSource(id, boundarySource(layer));
  if (!map.getLayer(id)) map.addLayer({ id, type: 'line', source: id, 'source-layer': layer, paint: { 'line-color': STYLE[layer].color, 'line-width': STYLE[layer].width } });
  else map.setLayoutProperty(id, 'visibility', 'visible');
}

/** Hides a boundary layer; its tiles stay cached for when it is switched on again. */
export function hideBoundary(map: Map, layer: BoundaryLayer): void {
  const id = `b-${layer}`;
  if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none');
}

/** One area of a boundary layer as the loaded tiles hold it: its name and the box of its pieces. */
export interface LoadedArea {
  code: string;
  name: string;
  box: [number, number, number, number];
}

/**
 * The areas of `layer` in the tiles loaded now, one per code: a tile holds only its own piece of
 * an area, so the pieces' boxes are joined. Empty before the layer's tiles have loaded.
 */
export function loadedAreas(map: Map, layer: BoundaryLayer): LoadedArea[] {
  const id = `b-${layer}`;
  if (!map.getSource(id)) return [];
  const byCode = new globalThis.Map<string, LoadedArea>();
  for (const f of map.querySourceFeatures(id, { sourceLayer: layer }) as Feature[]) {
    const code = String(f.properties?.code ?? '');
    const box = boxOf(f);
    if (!code || !box) continue;
    const had = byCode.get(code);
    byCode.set(code, { code, name: String(f.properties?.name ?? ''), box: had ? join(had.box, box) : box });
  }
  return [...byCode.values()];
}

/** The box around every area of `areas` (null when there is none). */
export function boxAround(areas: readonly LoadedArea[]): [number, number, number, number] | null {
  return areas.reduce<[number, number, number, number] | null>((b, a) => (b ? join(b, a.box) : a.box), null);
}

/** One label point per named area (its box's centre), for the map's Chinese labels. */
export function labelPoints(areas: readonly LoadedArea[]): { name: string; position: [number, number] }[] {
  return areas.filter((a) => a.name).map((a) => ({ name: a.name, position: [(a.box[0] + a.box[2]) / 2, (a.box[1] + a.box[3]) / 2] }));
}

function join(a: [number, number, number, number], b: [number, number, number, number]): [number, number, number, number] {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** The bounding box of one feature's coordinates. */
function boxOf(f: Feature): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      box = box ? join(box, [x, y, x, y]) : [x, y, x, y];
    } else for (const k of c as unknown[]) walk(k);
  };
  if (f.geometry && 'coordinates' in f.geometry) walk(f.geometry.coordinates);
  return box;
}

/** District and town outlines for the maps that only need orientation (planner, admin, the clue's inset). */
export function showOutlines(map: Map): void {
  showBoundary(map, 'district');
  showBoundary(map, 'town');
}
