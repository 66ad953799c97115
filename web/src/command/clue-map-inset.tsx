import type { Map } from 'maplibre-gl';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../app/i18n.js';
import { createBaseMap } from '../base-map.js';
import { showOutlines } from './map-layers.js';

/**
 * A small, still map of where the clue is: the base map (web/src/base-map.ts) with the town
 * outlines, centred on the clue at street level, with one dot. Not interactive: the full map is
 * beside it, this only says "here" at a glance.
 */
export default function ClueMapInset({ lon, lat, label }: { lon: number; lat: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<Map | null>(null);
  useEffect(() => {
    let gone = false;
    const point = { type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: [lon, lat] } };
    if (map.current) {
      map.current.jumpTo({ center: [lon, lat] });
      (map.current.getSource('clue') as { setData?(d: unknown): void } | undefined)?.setData?.(point);
      return;
    }
    void createBaseMap(box.current!, null).then(async (m) => {
      if (gone) return m.remove();
      map.current = m;
      for (const h of ['dragPan', 'scrollZoom', 'boxZoom', 'dragRotate', 'keyboard', 'doubleClickZoom', 'touchZoomRotate'] as const) m[h].disable();
      m.jumpTo({ center: [lon, lat], zoom: 13 });
      await showOutlines(m).catch(() => undefined);
      if (gone) return;
      m.addSource('clue', { type: 'geojson', data: point });
      m.addLayer({ id: 'clue-dot', type: 'circle', source: 'clue', paint: { 'circle-radius': 7, 'circle-color': '#d32f2f', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
    });
    return () => void (gone = true);
  }, [lon, lat]);
  useEffect(
    () => () => {
      map.current?.remove();
      map.current = null;
    },
    [],
  );
  return <div class="ops-inset" ref={box} role="img" aria-label={t('ops.detail.mapInset', { code: label })} />;
}
