import type { GeoJSONSource, Map } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type GetAnswer } from '../api.js';
import { createBaseMap } from '../base-map.js';
import { showBoundary } from '../command/map-layers.js';
import { t, useLang } from '../app/i18n.js';
import { distanceM, formatDistance, type LonLat } from './geo.js';
import { useMyPosition } from './position.js';

/** The line from me to the clue and the two ends, as one GeoJSON collection. */
function routeFeatures(me: LonLat | null, target: LonLat): GeoJSON.FeatureCollection {
  const pt = (p: LonLat, role: string): GeoJSON.Feature => ({ type: 'Feature', properties: { role }, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } });
  const features = [pt(target, 'clue')];
  if (me) {
    features.push(pt(me, 'me'));
    features.push({ type: 'Feature', properties: { role: 'line' }, geometry: { type: 'LineString', coordinates: [[me.lon, me.lat], [target.lon, target.lat]] } });
  }
  return { type: 'FeatureCollection', features };
}

/**
 * Navigation for a grid worker: a small map with a straight line from my position to the clue
 * and the distance. Straight, not a road route: the offline base map has no roads, and on foot
 * in a community the direction and distance are what a worker needs.
 */
export default function NavMap({ target }: { target: LonLat }) {
  useLang();
  const box = useRef<HTMLDivElement>(null);
  const mapRef = useRef<Map | null>(null);
  const me = useMyPosition();
  const [error, setError] = useState<string | null>(null);
  const meRef = useRef(me);
  meRef.current = me;

  const draw = (map: Map) => {
    (map.getSource('route') as GeoJSONSource | undefined)?.setData(routeFeatures(meRef.current, target));
    const m = meRef.current;
    if (m)
      map.fitBounds(
        [
          [Math.min(m.lon, target.lon), Math.min(m.lat, target.lat)],
          [Math.max(m.lon, target.lon), Math.max(m.lat, target.lat)],
        ],
        { padding: 40, maxZoom: 16, duration: 0 },
      );
    else map.jumpTo({ center: [target.lon, target.lat], zoom: 15 });
  };

  useEffect(() => {
    let gone = false;
    (async () => {
      const map = await createBaseMap(box.current!);
      if (gone) return map.remove();
      mapRef.current = map;
      // Without a tile server (closed networks) the map has no streets: the community and grid
      // outlines are what a grid worker finds their way by. Added first, so the route draws on top.
      for (const layer of ['town', 'community', 'grid'] as const) showBoundary(map, layer);
      map.addSource('route', { type: 'geojson', data: routeFeatures(meRef.current, target) });
      map.addLayer({ id: 'route-line', type: 'line', source: 'route', filter: ['==', ['get', 'role'], 'line'], paint: { 'line-color': '#2563a8', 'line-width': 4, 'line-dasharray': [2, 1] } });
      map.addLayer({
        id: 'route-points',
        type: 'circle',
        source: 'route',
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': 8,
          'circle-color': ['match', ['get', 'role'], 'me', '#2563a8', '#b3261e'],
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      draw(map);
    })().catch((err: Error) => setError(err.message));
    return () => {
      gone = true;
      mapRef.current?.remove();
      mapRef.current = null;
    };
  }, [target.lon, target.lat]);

  useEffect(() => {
    if (mapRef.current) draw(mapRef.current);
  }, [me?.lon, me?.lat]);

  return (
    <section class="worker-section nav" aria-labelledby="nav-h">
      <h2 id="nav-h">{t('worker.nav.title')}</h2>
      <p class="nav-distance" data-testid="distance">
        {me ? t('worker.nav.distance', { distance: formatDistance(distanceM(me, target)) }) : t('worker.position.unknown')}
      </p>
      <div class="nav-map" ref={box} role="img" aria-label={t('worker.nav.mapLabel')} />
      {error && <p class="error">{error}</p>}
    </section>
  );
}
