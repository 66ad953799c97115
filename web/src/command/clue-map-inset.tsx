import type { GeoJSONSource, Map } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../app/i18n.js';
import { createBaseMap } from '../base-map.js';
import { showOutlines } from './map-layers.js';

/** The inset's zoom: street level, so the town outlines around the dot say where it is. */
const ZOOM = 13;

function pointAt(lon: number, lat: number) {
  return { type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: [lon, lat] } };
}

/**
 * A small, still map of where the clue is: the same base map as the full map (web/src/base-map.ts)
 * with the district and town outlines, centred on the clue at street level, with one dot. Not
 * interactive: the full map is beside it, this only says "here" at a glance. The map is made once
 * with its dot; another clue only moves the view and the dot, so a clue opened while the map is
 * still loading cannot leave it without one.
 */
export default function ClueMapInset({ lon, lat, label }: { lon: number; lat: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<Map | null>(null);
  const at = useRef({ lon, lat });
  at.current = { lon, lat };

  useEffect(() => {
    let gone = false;
    let made: Map | null = null;
    void createBaseMap(box.current!).then((m) => {
      made = m;
      if (gone) return m.remove();
      for (const h of ['dragPan', 'scrollZoom', 'boxZoom', 'dragRotate', 'keyboard', 'doubleClickZoom', 'touchZoomRotate'] as const) m[h].disable();
      showOutlines(m);
      m.addSource('clue', { type: 'geojson', data: pointAt(at.current.lon, at.current.lat) });
      m.addLayer({ id: 'clue-dot', type: 'circle', source: 'clue', paint: { 'circle-radius': 7, 'circle-color': '#d32f2f', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
      setMap(m);
    });
    return () => {
      gone = true;
      made?.remove();
    };
  }, []);

  useEffect(() => {
    if (!map) return;
    map.jumpTo({ center: [lon, lat], zoom: ZOOM });
    (map.getSource('clue') as GeoJSONSource).setData(pointAt(lon, lat));
  }, [map, lon, lat]);

  return <div class="ops-inset" ref={box} role="img" aria-label={t('ops.detail.mapInset', { code: label })} data-ready={map ? 'true' : undefined} />;
}
