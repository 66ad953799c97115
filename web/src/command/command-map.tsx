import { MapboxOverlay } from '@deck.gl/mapbox';
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Map } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { request, type GetAnswer } from '../api.js';
import { t, useLang } from '../app/i18n.js';
import { live, useLive } from '../app/live.js';
import { createBaseMap } from '../base-map.js';
import { ClueColumnStore, decodeClueFeed } from '../clue-feed-bin.js';
import { CluePoints } from './clue-points.js';
import { oncePerFrame } from '../once-per-frame.js';
import { token } from '../session.js';
import { BOUNDARY_LAYERS, boxAround, hideBoundary, labelPoints, loadedAreas, showBoundary, type BoundaryLayer, type LoadedArea } from './map-layers.js';
import { placeLabels } from './label-placement.js';
import { TRUCK_TRAIL_MS, Fleet } from './fleet.js';
import { clusterRadius } from './clue-style.js';
import { clueForm } from './clue-form.js';

/** Label font size in pixels per boundary layer: coarser levels larger. */
const LABEL_SIZE: Record<BoundaryLayer, number> = { district: 15, town: 12, community: 10, grid: 10, zone: 10 };

/** The loaded areas as a string that changes only when they do (codes, names and boxes). */
const areasKey = (a: Partial<Record<BoundaryLayer, LoadedArea[]>>): string => JSON.stringify(a);

/** A box's area in square degrees: the larger areas' labels are placed first. */
const boxArea = (b: LoadedArea['box']): number => (b[2] - b[0]) * (b[3] - b[1]);

type Cluster = GetAnswer<'/api/v1/map/clusters'>['clusters'][number];

/**
 * The command centre's full-screen map: opens on the user's jurisdiction, draws the clues of the
 * binary feed coloured by status and sized by severity (the server's clusters when zoomed out),
 * patches them from the live diffs (never reloading the set, except when the server says `reload`),
 * and shows trucks with their trails, offline devices in grey and the boundary layers.
 */
export function CommandMap({ selected, onOpen }: { selected: string | null; onOpen: (code: string) => void }) {
  useLang();
  const box = useRef<HTMLDivElement>(null);
  const mapRef = useRef<Map | null>(null);
  const overlay = useRef<MapboxOverlay | null>(null);
  const store = useRef<ClueColumnStore | null>(null);
  const points = useRef<CluePoints | null>(null);
  const fleet = useRef(new Fleet());
  const [areas, setAreas] = useState<Partial<Record<BoundaryLayer, LoadedArea[]>>>({});
  const areasSeen = useRef('{}');
  // Bumped when a move ends: the labels are placed again for the new view.
  const [viewVersion, setViewVersion] = useState(0);
  // What changed since the last draw, so each layer is rebuilt only for its own data.
  const [clueVersion, setClueVersion] = useState(0);
  const [fleetVersion, setFleetVersion] = useState(0);
  // undefined until the first answer: the map opens zoomed out, and must not draw every clue as a point meanwhile.
  const [clusters, setClusters] = useState<Cluster[] | null | undefined>(undefined);
  const [on, setOn] = useState<Record<BoundaryLayer, boolean>>({ district: true, town: true, community: false, grid: false, zone: false });
  const onRef = useRef(on);
  onRef.current = on;
  const [error, setError] = useState('');
  // At most one redraw per animation frame, however many diffs or fixes arrive in between.
  const clueChanged = useMemo(() => oncePerFrame(() => setClueVersion((v) => v + 1)), []);
  const fleetChanged = useMemo(() => oncePerFrame(() => setFleetVersion((v) => v + 1)), []);
  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  // The clue layer's form last handed to deck.gl; the next frame after it changes is marked.
  const shownForm = useRef<'clusters' | 'points' | null>(null);
  const toMark = useRef<'clusters' | 'points' | null>(null);
  // Each clusters request is numbered: only the newest one's answer is drawn (moves end faster than answers come).
  const clusterAsk = useRef(0);
  // Clues in the current view (null until the feed has loaded), shown as data-in-view.
  const [inView, setInView] = useState<number | null>(null);

  const loadFeed = async () => {
    const res = await fetch('/api/v1/map/clues?format=bin', { headers: { authorization: `Bearer ${token()}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    store.current = new ClueColumnStore(decodeClueFeed(await res.arrayBuffer()));
    points.current = new CluePoints(store.current);
    clueChanged();
  };

  /** Chooses the clue layer's form for the current view (clue-form.ts) and fetches the clusters when that is the form. */
  const loadClusters = async (map: Map) => {
    const ask = ++clusterAsk.current;
    const b = map.getBounds();
    const count = store.current ? store.current.countIn(b.getWest(), b.getSouth(), b.getEast(), b.getNorth()) : null;
    setInView(count);
    if (clueForm(map.getZoom(), count) === 'points') {
      // The view and a quarter of it on each side: a drag shows points until it ends, then the window follows.
      const [w, e, s, n] = [b.getWest(), b.getEast(), b.getSouth(), b.getNorth()];
      const [dx, dy] = [(e - w) / 4, (n - s) / 4];
      points.current?.setWindow([w - dx, s - dy, e + dx, n + dy]);
      clueChanged();
      return setClusters(null);
    }
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
    const answer = await request<GetAnswer<'/api/v1/map/clusters'>>(`/api/v1/map/clusters?z=${Math.floor(map.getZoom())}&bbox=${bbox}`);
    if (ask === clusterAsk.current) setClusters(answer.clusters);
  };

  useEffect(() => {
    let gone = false;
    (async () => {
      const map = await createBaseMap(box.current!);
      if (gone) return map.remove();
      mapRef.current = map;
      overlay.current = new MapboxOverlay({
        // Each frame of deck.gl's canvas is composited over MapLibre's; luma.gl's defaults (4× MSAA
        // and a preserved drawing buffer, copied every frame) cost most in software WebGL (SwiftShader).
        // The points are antialiased in their shader anyway; the overlay is redrawn with every map frame.
        deviceProps: { webgl: { antialias: false, preserveDrawingBuffer: false } },
        layers: [],
        // A user-timing mark for the first frame drawn in each new form of the clue layer (the first is the time to first map), read by bench/map-draw.bench.ts and any RUM.
        onAfterRender: () => {
          if (!toMark.current) return;
          performance.mark(`gridwatch:clue-${toMark.current}-drawn`, { detail: { clues: store.current?.cols.count ?? 0 } });
          toMark.current = null;
        },
      });
      map.addControl(overlay.current);
      for (const layer of BOUNDARY_LAYERS) if (onRef.current[layer]) showBoundary(map, layer);
      await map.once('idle');
      if (gone) return;
      // Open on the user's own jurisdiction: the tiles hold only the areas in their scope, so the
      // box around the loaded districts and towns is their district, their town or the whole city.
      const home = boxAround([...loadedAreas(map, 'district'), ...loadedAreas(map, 'town')]);
      if (home) map.fitBounds(home, { padding: 24, duration: 0 });
      // The labels follow the tiles loaded for the current view.
      // MapLibre is idle after every move and tile load: only a change of the areas redraws the labels.
      const readAreas = () => {
        const now = Object.fromEntries(BOUNDARY_LAYERS.filter((l) => onRef.current[l]).map((l) => [l, loadedAreas(map, l)]));
        const key = areasKey(now);
        if (key === areasSeen.current) return;
        areasSeen.current = key;
        setAreas(now);
      };
      map.on('idle', readAreas);
      readAreas();
      map.on('moveend', () => {
        setViewVersion((v) => v + 1);
        void loadClusters(map).catch((e: Error) => setError(e.message));
      });
      // The clusters come first (the map opens zoomed out); once the feed is in, the form is chosen again by the clues in view.
      await Promise.all([loadFeed().then(() => loadClusters(map)), loadClusters(map)]);
    })().catch((e: Error) => setError(e.message));
    return () => {
      gone = true;
      mapRef.current?.remove();
      mapRef.current = null;
    };
  }, []);

  // The live diffs patch the columns in place; a clue that ended keeps its row, drawn as closed.
  useLive('opened', (m) => {
    store.current?.upsert({ ...m.fields, itemCode: m.fields.item?.code ?? null }, m.seq);
    points.current?.update(m.code);
    clueChanged();
  });
  useLive('changed', (m) => {
    const s = store.current;
    const row = s?.rowOf(m.code);
    if (!s || row === undefined) return;
    const c = s.cols;
    s.upsert(
      {
        code: m.code,
        status: m.fields.status ?? c.statuses[c.status[row]!]!,
        severity: m.fields.severity ?? c.severities[c.severity[row]!]!,
        itemCode: m.fields.item !== undefined ? (m.fields.item?.code ?? null) : c.items[c.item[row]!] || null,
        position: m.fields.position ?? { lon: c.lon[row]!, lat: c.lat[row]! },
      },
      m.seq,
    );
    points.current?.update(m.code);
    clueChanged();
  });
  useLive('closed', (m) => {
    const s = store.current;
    const row = s?.rowOf(m.code);
    if (!s || row === undefined) return;
    const c = s.cols;
    // Left the scope: hidden. Ended: drawn with its final status.
    const status = m.reason === 'left-scope' ? 'left-scope' : m.status;
    s.upsert({ code: m.code, status, severity: c.severities[c.severity[row]!]!, itemCode: c.items[c.item[row]!] || null, position: { lon: c.lon[row]!, lat: c.lat[row]! } }, m.seq);
    points.current?.update(m.code);
    clueChanged();
  });
  useLive('reload', () =>
    void loadFeed()
      .then(() => mapRef.current && loadClusters(mapRef.current))
      .catch((e: Error) => setError(e.message)),
  );
  useLive('device', (m) => {
    fleet.current.fix(m, Date.now());
    fleetChanged();
  });
  useLive('device-health', (m) => {
    fleet.current.health(m);
    fleetChanged();
  });
  useEffect(() => {
    // The clue diffs flow once subscribed (docs/LIVE.md); the whole scope, the map filters nothing.
    live.subscribe({});
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    for (const layer of BOUNDARY_LAYERS) (on[layer] ? showBoundary : hideBoundary)(map, layer);
  }, [on]);

  // Label candidates, coarser layers first and larger areas first within a layer: only again when the areas or the layers changed.
  const labelCandidates = useMemo(
    () =>
      BOUNDARY_LAYERS.filter((l) => on[l]).flatMap((l) =>
        labelPoints([...(areas[l] ?? [])].sort((a, b) => boxArea(b.box) - boxArea(a.box))).map((p) => ({ ...p, size: LABEL_SIZE[l] })),
      ),
    [on, areas],
  );
  // Every character the labels may need, so the font atlas is drawn again only when the areas change, not on each placement.
  const labelCharacters = useMemo(() => [...new Set(labelCandidates.flatMap((c) => [...c.name]))].join(''), [labelCandidates]);
  const placedBefore = useRef<typeof labelCandidates>([]);
  // The labels that fit the view without overlapping, placed again after each move.
  const labelData = useMemo(() => {
    const map = mapRef.current;
    if (!map) return [];
    const { clientWidth, clientHeight } = map.getContainer();
    const placed = placeLabels(labelCandidates, (p) => map.project(p), clientWidth, clientHeight);
    // The same labels as before keep the same array: deck.gl then keeps the text layer's buffers.
    const before = placedBefore.current;
    if (placed.length === before.length && placed.every((p, i) => p === before[i])) return before;
    placedBefore.current = placed;
    return placed;
  }, [labelCandidates, viewVersion]);

  useEffect(() => {
    const p = points.current;
    p?.select(selected);
    const zoomedOut = clusters !== null;
    const now = Date.now();
    const form = zoomedOut ? (clusters ? 'clusters' : null) : p ? 'points' : null;
    if (form && form !== shownForm.current) toMark.current = form;
    shownForm.current = form;
    overlay.current?.setProps({
      layers: [
        new TextLayer({
          id: 'labels',
          data: labelData,
          characterSet: labelCharacters,
          getText: (d) => d.name,
          getPosition: (d) => d.position,
          getSize: (d) => d.size,
          getColor: [40, 50, 64, 220],
          fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif',
        }),
        zoomedOut &&
          clusters &&
          new ScatterplotLayer<Cluster>({
            id: 'clusters',
            data: clusters,
            getPosition: (d) => [d.lon, d.lat],
            getRadius: (d) => clusterRadius(d.count),
            radiusUnits: 'pixels',
            getFillColor: (d) => (d.bySeverity.critical || d.bySeverity.high ? [211, 47, 47, 180] : [30, 136, 229, 170]),
            getLineColor: [255, 255, 255],
            lineWidthMinPixels: 1,
            stroked: true,
          }),
        !zoomedOut &&
          p &&
          new ScatterplotLayer({
            id: 'clues',
            // Binary attributes, patched per diff (clue-points.ts): the same object until a clue changes.
            data: p.data,
            radiusUnits: 'pixels',
            stroked: true,
            getLineColor: [255, 255, 255],
            lineWidthMinPixels: 1,
            pickable: true,
            onClick: ({ index }) => {
              const code = points.current?.codeAt(index);
              if (code) openRef.current(code);
            },
          }),
        new PathLayer({
          id: 'truck-trails',
          data: fleet.current.trails(now - TRUCK_TRAIL_MS),
          getPath: (d) => d.path,
          getColor: [0, 121, 107, 160],
          widthMinPixels: 2,
          updateTriggers: { getPath: fleetVersion },
        }),
        new ScatterplotLayer({
          id: 'devices',
          data: fleet.current.devices(),
          getPosition: (d) => [d.lon, d.lat],
          getFillColor: (d) => (d.online ? [0, 121, 107, 255] : [150, 150, 150, 200]),
          getRadius: (d) => (d.kind === 'waste-truck' ? 6 : 4),
          radiusUnits: 'pixels',
          stroked: true,
          getLineColor: [255, 255, 255],
          lineWidthMinPixels: 1,
          updateTriggers: { getFillColor: fleetVersion, getPosition: fleetVersion },
        }),
      ],
    });
  }, [clueVersion, fleetVersion, labelData, labelCharacters, clusters, selected]);

  return (
    <div class="command-map">
      <div
        ref={box}
        class="map"
        role="region"
        aria-label={t('command.map.label')}
        data-clues={store.current?.cols.count ?? ''}
        data-in-view={inView ?? ''}
        data-form={clusters === null ? 'points' : 'clusters'}
        data-areas={BOUNDARY_LAYERS.filter((l) => areas[l]).map((l) => `${l}:${areas[l]!.map((a) => a.code).join(',')}`).join(' ')}
      />
      <fieldset class="layer-switch">
        <legend>{t('command.layers.title')}</legend>
        {BOUNDARY_LAYERS.map((l) => (
          <label key={l}>
            <input type="checkbox" checked={on[l]} onChange={(e) => setOn({ ...on, [l]: (e.currentTarget as HTMLInputElement).checked })} />
            {t(`command.layers.${l}`)}
          </label>
        ))}
      </fieldset>
      {error && (
        <p class="error map-error" role="alert">
          {t('command.feed.failed', { message: error })}
        </p>
      )}
    </div>
  );
}
