import { Map, setWorkerUrl, type RequestParameters, type StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { request, type GetAnswer } from './api.js';
import { token } from './session.js';

// In a Vite build MapLibre cannot find its worker by itself: without this every GeoJSON source
// fails with "Worker failed to load".
setWorkerUrl(workerUrl);

/** Ningbo's centre: the demo city and the first city Gridwatch serves. */
const NINGBO: [number, number] = [121.55, 29.75];

/**
 * The offline base style: a plain background (the sea, as it were) and nothing that needs a tile
 * or glyph server, because command-centre networks are often closed. The boundaries come from
 * our own API and are added on top (command/map-layers.ts).
 */
const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#d9e2ea' } }],
};

/**
 * MapLibre's requests to our own API (the boundary tiles, command/map-layers.ts) carry the
 * session's bearer token, as api.ts's do; a MAP_STYLE_URL server on another origin never sees it.
 */
function withToken(url: string): RequestParameters {
  const bearer = token();
  return bearer && url.startsWith(`${location.origin}/api/`) ? { url, headers: { authorization: `Bearer ${bearer}` } } : { url };
}

/**
 * Creates a map centred on Ningbo with the base style of every map in the app: MAP_STYLE_URL
 * when the server names one (GET /api/v1/map-config), else the offline style; waits for it to load.
 */
export async function createBaseMap(container: HTMLElement): Promise<Map> {
  const { styleUrl } = await request<GetAnswer<'/api/v1/map-config'>>('/api/v1/map-config').catch(() => ({ styleUrl: null }));
  const map = new Map({ container, style: styleUrl ?? OFFLINE_STYLE, center: NINGBO, zoom: 8.3, attributionControl: false, transformRequest: withToken });
  await map.once('load');
  return map;
}
