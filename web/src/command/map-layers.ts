import type { FeatureCollection } from 'geojson';
import type { GeoJSONSourceSpecification, Map } from 'maplibre-gl';
import { request } from '../api.js';

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

/** The zoom each layer's geometry is simplified for (the server keeps about half a pixel). */
const ZOOM: Record<BoundaryLayer, number> = { district: 10, town: 12, community: 13, grid: 15, zone: 14 };

/**
 * The MapLibre source of a boundary layer: GeoJSON from the boundary endpoints, the fine levels
 * only within `bbox` (a town's 11k grid cells must not come as one document for the whole city).
 * This is the one place that names where boundaries come from.
 */
export async function boundarySource(layer: BoundaryLayer, bbox: [number, number, number, number]): Promise<GeoJSONSourceSpecification & { data: FeatureCollection }> {
  const near = layer === 'community' || layer === 'grid' || layer === 'zone' ? `&bbox=${bbox.map((x) => x.toFixed(5)).join(',')}` : '';
  const url = layer === 'zone' ? `/api/v1/zones?format=geojson${near}` : `/api/v1/jurisdictions?level=${layer}&format=geojson&zoom=${ZOOM[layer]}${near}`;
  return { type: 'geojson', data: await request<FeatureCollection>(url) };
}

/** Adds (or replaces) a boundary layer's source and its line layer; answers its features. */
export async function showBoundary(map: Map, layer: BoundaryLayer, bbox: [number, number, number, number]): Promise<FeatureCollection> {
  const source = await boundarySource(layer, bbox);
  const id = `b-${layer}`;
  if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(id)) map.removeSource(id);
  map.addSource(id, source);
  map.addLayer({ id, type: 'line', source: id, paint: { 'line-color': STYLE[layer].color, 'line-width': STYLE[layer].width } });
  return source.data;
}

/** Removes a boundary layer. */
export function hideBoundary(map: Map, layer: BoundaryLayer): void {
  const id = `b-${layer}`;
  if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(id)) map.removeSource(id);
}

/** The bounding box of the features whose `code` is in `codes` (all features when `codes` is empty). */
export function bboxOf(fc: FeatureCollection, codes: readonly string[]): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const [x, y] = c as [number, number];
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
    } else for (const k of c as unknown[]) walk(k);
  };
  for (const f of fc.features) {
    if (codes.length && !codes.includes(String(f.properties?.code))) continue;
    if (f.geometry && 'coordinates' in f.geometry) walk(f.geometry.coordinates);
  }
  return box;
}

/** One label point per feature (its box's centre), for the map's Chinese labels. */
export function labelPoints(fc: FeatureCollection): { name: string; position: [number, number] }[] {
  return fc.features.flatMap((f) => {
    const b = bboxOf({ type: 'FeatureCollection', features: [f] }, []);
    const name = String(f.properties?.name ?? '');
    return b && name ? [{ name, position: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as [number, number] }] : [];
  });
}

/**
 * District and town outlines for the maps that only need orientation (planner, admin, the clue's
 * inset): the two coarse levels come whole, so the current view's box is enough to ask for them.
 */
export async function showOutlines(map: Map): Promise<void> {
  const box = map.getBounds().toArray().flat() as [number, number, number, number];
  await showBoundary(map, 'district', box);
  await showBoundary(map, 'town', box);
}
