import { Map, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection } from 'geojson';
import { request } from './api.js';

// In a Vite build MapLibre cannot find its worker by itself: without this every GeoJSON source
// fails with "Worker failed to load".
setWorkerUrl(workerUrl);

/** Ningbo's centre: the demo city and the first city Gridwatch serves. */
const NINGBO: [number, number] = [121.55, 29.75];

/**
 * The offline base style: a plain background (the sea, as it were) and nothing that needs a tile
 * or glyph server, because command-centre networks are often closed. The boundaries come from
 * our own API and are added on top (addBoundaries).
 */
const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#d9e2ea' } }],
};

/** Creates the map centred on Ningbo with the offline style, or `styleUrl` (MAP_STYLE_URL) when set, and waits for it to load. */
export async function createBaseMap(container: HTMLElement, styleUrl: string | null): Promise<Map> {
  const map = new Map({ container, style: styleUrl ?? OFFLINE_STYLE, center: NINGBO, zoom: 8.3, attributionControl: false });
  await map.once('load');
  return map;
}

/**
 * Draws district outlines, and town/street outlines from zoom 9.5 on, from
 * GET /api/v1/jurisdictions (simplified by the server for the zoom they are mostly seen at).
 * Over the offline style districts are also filled, so land stands out from the background;
 * over a real style (`filled` false) only the lines are drawn, to keep the style's own map visible.
 */
export async function addBoundaries(map: Map, filled: boolean): Promise<void> {
  const [districts, towns] = await Promise.all([
    request<FeatureCollection>('/api/v1/jurisdictions?level=district&format=geojson&zoom=10'),
    request<FeatureCollection>('/api/v1/jurisdictions?level=town&format=geojson&zoom=12'),
  ]);
  map.addSource('districts', { type: 'geojson', data: districts });
  map.addSource('towns', { type: 'geojson', data: towns });
  if (filled) map.addLayer({ id: 'district-fill', type: 'fill', source: 'districts', paint: { 'fill-color': '#f6f4ef' } });
  map.addLayer({ id: 'town-line', type: 'line', source: 'towns', minzoom: 9.5, paint: { 'line-color': '#9aa7b5', 'line-width': 0.8 } });
  map.addLayer({ id: 'district-line', type: 'line', source: 'districts', paint: { 'line-color': '#4f5f73', 'line-width': 1.6 } });
}
