import { MapboxOverlay } from '@deck.gl/mapbox';
import { GeoJsonLayer } from '@deck.gl/layers';
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import type { Feature, FeatureCollection } from 'geojson';
import type { Map } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { request } from '../api.js';
import { t } from '../app/i18n.js';
import { createBaseMap } from '../base-map.js';
import { showOutlines } from '../command/map-layers.js';
import { dayEnd, dayStart, defaultRange, ExportLink, useFetch } from '../view-kit.js';
import { toCsv } from './download.js';

type Hotspots = GetAnswer<'/api/v1/hotspots'>;
type Level = 'h3' | 'grid';

/** One drawn area: its code (H3 index or grid code) and the count in the bucket shown. */
interface Cell {
  area: string;
  count: number;
}

/** Yellow → red by share of the bucket's largest count, so every bucket uses the whole scale. */
function heat(count: number, max: number): [number, number, number, number] {
  const x = max > 0 ? Math.min(1, count / max) : 0;
  return [255, Math.round(230 - 200 * x), Math.round(120 - 110 * x), 90 + Math.round(140 * x)];
}

/**
 * Hotspot layers: H3 hexagons or a grid-cell choropleth of clue or alert counts by item and
 * time range, with a slider that plays the period bucket by bucket. The drawn bucket is on the
 * section's `data-bucket`, so a test (and a screen reader, through the live label) can follow it.
 */
export default function HotspotsTab() {
  const range = useMemo(() => defaultRange(28), []);
  const [level, setLevel] = useState<Level>('h3');
  const [kind, setKind] = useState<'clues' | 'alerts'>('clues');
  const [item, setItem] = useState('');
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const q = new URLSearchParams({ level, kind, from: dayStart(from), to: dayEnd(to), bucket: 'day' });
  if (level === 'h3') q.set('res', '8');
  if (item.trim()) q.set('item', item.trim());
  const { data, error, loading } = useFetch<Hotspots>(`/api/v1/hotspots?${q}`);
  const { data: grids } = useFetch<FeatureCollection>(level === 'grid' ? '/api/v1/jurisdictions?level=grid&format=geojson&zoom=13' : null);

  /** Every bucket of the period that has a count somewhere, in order. */
  const buckets = useMemo(() => [...new Set((data?.areas ?? []).flatMap((a) => a.series.map((s) => s.bucket)))].sort(), [data]);
  const bucket = buckets[Math.min(index, buckets.length - 1)] ?? null;
  const cells: Cell[] = useMemo(
    () => (data?.areas ?? []).map((a) => ({ area: a.area, count: a.series.find((s) => s.bucket === bucket)?.count ?? 0 })).filter((c) => c.count > 0),
    [data, bucket],
  );
  const bucketTotal = cells.reduce((n, c) => n + c.count, 0);

  useEffect(() => setIndex(0), [data]);
  useEffect(() => {
    if (!playing || buckets.length < 2) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % buckets.length), 900);
    return () => clearInterval(timer);
  }, [playing, buckets.length]);

  const mapEl = useRef<HTMLDivElement>(null);
  const overlay = useRef<MapboxOverlay | null>(null);
  const map = useRef<Map | null>(null);
  const [mapReady, setMapReady] = useState(false);
  useEffect(() => {
    let gone = false;
    void (async () => {
      if (!mapEl.current) return;
      const m = await createBaseMap(mapEl.current);
      if (gone) return m.remove();
      map.current = m;
      overlay.current = new MapboxOverlay({ layers: [] });
      m.addControl(overlay.current);
      setMapReady(true);
      showOutlines(m);
    })();
    return () => {
      gone = true;
      map.current?.remove();
    };
  }, []);

  useEffect(() => {
    if (!mapReady || !overlay.current) return;
    const max = cells.reduce((m, c) => Math.max(m, c.count), 0);
    const byArea = new globalThis.Map(cells.map((c) => [c.area, c.count]));
    const layer =
      level === 'h3'
        ? new H3HexagonLayer<Cell>({
            id: 'hotspots-h3',
            data: cells,
            getHexagon: (c) => c.area,
            getFillColor: (c) => heat(c.count, max),
            getLineColor: [120, 30, 20, 160],
            lineWidthMinPixels: 1,
            extruded: false,
            pickable: true,
            updateTriggers: { getFillColor: [bucket] },
          })
        : new GeoJsonLayer({
            id: 'hotspots-grid',
            data: (grids?.features ?? []).filter((f: Feature) => byArea.has(String(f.properties?.code))),
            getFillColor: (f: Feature) => heat(byArea.get(String(f.properties?.code)) ?? 0, max),
            getLineColor: [120, 30, 20, 160],
            lineWidthMinPixels: 1,
            pickable: true,
            updateTriggers: { getFillColor: [bucket] },
          });
    overlay.current.setProps({ layers: [layer] });
  }, [mapReady, cells, level, grids, bucket]);

  const csv = useCallback(
    () => toCsv(['area', 'bucket', 'count'], (data?.areas ?? []).flatMap((a) => a.series.map((s) => ({ area: a.area, bucket: s.bucket, count: s.count })))),
    [data],
  );
  const geojson = useCallback(() => {
    const counts = new globalThis.Map((data?.areas ?? []).map((a) => [a.area, a]));
    const features = (grids?.features ?? [])
      .filter((f) => counts.has(String(f.properties?.code)))
      .map((f) => ({ ...f, properties: { ...f.properties, total: counts.get(String(f.properties?.code))!.total, series: counts.get(String(f.properties?.code))!.series } }));
    // H3 cells have no stored geometry: they go out as their index, which every GIS tool reads.
    const h3 = level === 'h3' ? (data?.areas ?? []).map((a) => ({ type: 'Feature', geometry: null, properties: { h3: a.area, total: a.total, series: a.series } })) : [];
    return JSON.stringify({ type: 'FeatureCollection', features: [...features, ...h3] });
  }, [data, grids, level]);

  return (
    <div class="hotspots" data-bucket={bucket ?? ''} data-cells={cells.length}>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('planner.level')}
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value as Level)}>
            <option value="h3">{t('planner.level.h3')}</option>
            <option value="grid">{t('planner.level.grid')}</option>
          </select>
        </label>
        <label>
          {t('planner.kind')}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as 'clues' | 'alerts')}>
            <option value="clues">{t('planner.kind.clues')}</option>
            <option value="alerts">{t('planner.kind.alerts')}</option>
          </select>
        </label>
        <label>
          {t('planner.item')}
          <input value={item} placeholder={t('planner.itemPlaceholder')} onChange={(e) => setItem(e.currentTarget.value)} />
        </label>
        <label>
          {t('planner.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('planner.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
      </form>
      <div class="slider-bar">
        <button type="button" class="play" aria-pressed={playing} disabled={buckets.length < 2} onClick={() => setPlaying(!playing)}>
          {playing ? t('planner.pause') : t('planner.play')}
        </button>
        <input
          type="range"
          class="time-slider"
          aria-label={t('planner.slider')}
          min={0}
          max={Math.max(0, buckets.length - 1)}
          value={Math.min(index, Math.max(0, buckets.length - 1))}
          onInput={(e) => (setPlaying(false), setIndex(Number(e.currentTarget.value)))}
        />
        <output class="bucket-label" aria-live="polite">
          {bucket ? t('planner.bucket', { bucket: bucket.slice(0, 10), n: cells.length, total: bucketTotal }) : loading ? t('planner.loading') : t('planner.noData')}
        </output>
        <ExportLink make={csv} type="text/csv" name="hotspots.csv" label={t('planner.exportCsv')} />
        <ExportLink make={geojson} type="application/geo+json" name="hotspots.geojson" label={t('planner.exportGeojson')} />
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      <div ref={mapEl} class="planner-map" role="region" aria-label={t('planner.map')} />
    </div>
  );
}
