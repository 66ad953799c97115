import { Map, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';

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

/** Creates the map centred on Ningbo with the offline style, or `styleUrl` (MAP_STYLE_URL) when set, and waits for it to load. */
export async function createBaseMap(container: HTMLElement, styleUrl: string | null): Promise<Map> {
  const map = new Map({ container, style: styleUrl ?? OFFLINE_STYLE, center: NINGBO, zoom: 8.3, attributionControl: false });
  await map.once('load');
  return map;
}
