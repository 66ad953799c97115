import { MapboxOverlay } from '@deck.gl/mapbox';
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import { bbox as boxOf, featureCollection, point } from '@turf/turf';
import type { Feature, FeatureCollection } from 'geojson';
import type { Map } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api-types.js';
import { request } from '../api.js';
import { formatTime, t } from '../app/i18n.js';
import { createBaseMap } from '../base-map.js';
import { FilePick } from '../file-pick.js';
import { showOutlines } from '../command/map-layers.js';
import { token } from '../session.js';
import { useFetch } from '../view-kit.js';

type Report = components['schemas']['GeoImportReport'];
type Problem = Report['problems'][number];
type Imports = { imports: { id: number; layer: string; source: string; featureCount: number; active: boolean; createdAt: string; status: string | null; summary: Report['summary'] | null }[] };
const LAYERS = ['districts', 'towns', 'communities', 'grids', 'zones'] as const;

/** The codes a problem names: its feature and any other feature it involves (overlaps, duplicates). */
function problemCodes(p: Problem): string[] {
  const d = p.details ?? {};
  return [p.feature, d.other, ...(Array.isArray(d.features) ? d.features : [])].filter((x): x is string => typeof x === 'string');
}

/** The places a problem points at: an overlap's or gap's `at`, coordinate examples. */
function problemPoints(p: Problem): [number, number][] {
  const d = p.details ?? {};
  const pts: [number, number][] = [];
  const isPos = (x: unknown): x is [number, number] => Array.isArray(x) && x.length >= 2 && typeof x[0] === 'number' && typeof x[1] === 'number';
  if (isPos(d.at)) pts.push(d.at);
  if (Array.isArray(d.examples)) for (const e of d.examples) if (isPos(e)) pts.push(e);
  return pts;
}

const SEVERITY_COLOUR: Record<Problem['severity'], [number, number, number]> = { fatal: [200, 0, 0], error: [230, 90, 0], warning: [220, 170, 0] };

/** The box around what a report points at (its problem features and points); null when it points at nothing. */
function problemBox(features: Feature[], points: [number, number][]): [number, number, number, number] | null {
  if (!features.length && !points.length) return null;
  const [w, s, e, n] = boxOf(featureCollection([...features, ...points.map((p) => point(p))]));
  return [w, s, e, n];
}

/**
 * Boundary and grid import: upload a GeoJSON file for a layer, read the validation report as a
 * list and on the map (the file's features outlined, the ones with a problem filled in the
 * problem's colour, problem points circled), and make an earlier import active again (rollback).
 */
export default function ImportsTab() {
  const [reload, setReload] = useState(0);
  const { data } = useFetch<Imports>('/api/v1/geo/imports', reload);
  const [layer, setLayer] = useState<(typeof LAYERS)[number]>('grids');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [shown, setShown] = useState<FeatureCollection | null>(null);

  const mapEl = useRef<HTMLDivElement>(null);
  const map = useRef<Map | null>(null);
  const overlay = useRef<MapboxOverlay | null>(null);
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

  const problemFeatures = (() => {
    if (!report || !shown) return [] as Feature[];
    const codes = new Set(report.problems.flatMap(problemCodes));
    return shown.features.filter((f) => codes.has(String(f.properties?.code ?? f.properties?.adcode ?? '')));
  })();
  const points = (report?.problems ?? []).flatMap((p) => problemPoints(p).map((at) => ({ at, severity: p.severity })));

  useEffect(() => {
    if (!mapReady || !overlay.current) return;
    const worst = (code: string) => report?.problems.find((p) => problemCodes(p).includes(code))?.severity ?? 'warning';
    overlay.current.setProps({
      layers: [
        new GeoJsonLayer({ id: 'import-all', data: shown?.features ?? [], filled: false, getLineColor: [40, 70, 120, 220], lineWidthMinPixels: 1 }),
        new GeoJsonLayer({
          id: 'import-problems',
          data: problemFeatures,
          getFillColor: (f: Feature) => [...SEVERITY_COLOUR[worst(String(f.properties?.code ?? ''))], 130] as [number, number, number, number],
          getLineColor: (f: Feature) => SEVERITY_COLOUR[worst(String(f.properties?.code ?? ''))],
          lineWidthMinPixels: 3,
        }),
        new ScatterplotLayer<{ at: [number, number]; severity: Problem['severity'] }>({
          id: 'import-problem-points',
          data: points,
          getPosition: (p) => p.at,
          getRadius: 9,
          radiusUnits: 'pixels',
          stroked: true,
          filled: false,
          getLineColor: (p) => SEVERITY_COLOUR[p.severity],
          lineWidthMinPixels: 3,
        }),
      ],
    });
    // Zoom to the problems, so a bad cell is seen at once and not as a dot on the whole city; else to the file's features.
    const box = problemBox(problemFeatures, points.map((p) => p.at)) ?? report?.bbox;
    if (box && map.current) map.current.fitBounds([box[0], box[1], box[2], box[3]], { padding: 60, duration: 0, maxZoom: 16 });
  }, [mapReady, report, shown]);

  async function upload(e: Event) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setMessage(null);
    try {
      const text = await file.text();
      try {
        setShown(JSON.parse(text) as FeatureCollection);
      } catch {
        setShown(null);
      }
      // Not request(): a rejected import answers 422 with the report in error.details, which we draw.
      const q = new URLSearchParams({ layer, source: file.name });
      const res = await fetch(`/api/v1/geo/imports?${q}`, { method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/geo+json' }, body: text });
      const body = await res.json().catch(() => null);
      const r = (res.ok ? body?.report : body?.error?.details?.report) as Report | undefined;
      setReport(r ?? null);
      setMessage(res.ok ? t('admin.import.done', { n: r?.features.imported ?? 0 }) : r ? t('admin.import.rejected') : (body?.error?.message ?? res.statusText));
      setReload((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  async function showReport(id: number) {
    const answer = await request<{ report: Report }>(`/api/v1/geo/imports/${id}`);
    setShown(null);
    setReport(answer.report);
  }

  async function activate(id: number) {
    if (!confirm(t('admin.import.confirmActivate', { id }))) return;
    await request(`/api/v1/geo/imports/${id}/activate`, { method: 'POST' }).then(
      () => setMessage(t('admin.import.activated', { id })),
      (err: Error) => setMessage(err.message),
    );
    setReload((n) => n + 1);
  }

  return (
    <div class="imports two-pane">
      <div class="pane">
        <form class="filters" onSubmit={upload}>
          <label>
            {t('admin.import.layer')}
            <select name="layer" value={layer} onChange={(e) => setLayer(e.currentTarget.value as (typeof LAYERS)[number])}>
              {LAYERS.map((l) => (
                <option key={l} value={l}>
                  {t(`admin.layer.${l}`)}
                </option>
              ))}
            </select>
          </label>
          <FilePick label={t('admin.import.file')} name="file" accept=".geojson,.json,application/geo+json" onFiles={(files) => setFile(files[0] ?? null)} />
          <button type="submit" disabled={!file || busy}>
            {t('admin.import.submit')}
          </button>
        </form>
        {message && (
          <p class="note" role="status">
            {message}
          </p>
        )}
        {report && (
          <section class="report" aria-labelledby="report-title">
            <h2 id="report-title">{t('admin.import.report', { source: report.source })}</h2>
            <p>{t('admin.import.summary', { ...report.summary, total: report.features.total, imported: report.features.imported })}</p>
            <ul class="problem-list">
              {report.problems.map((p, i) => (
                <li key={i} class={`problem severity-${p.severity}`} data-kind={p.kind}>
                  <strong>{t(`admin.severity.${p.severity}`)}</strong> {t(`admin.problem.${p.kind}`)}
                  {p.feature ? ` · ${p.feature}` : ''}
                  <div class="problem-message">{p.message}</div>
                </li>
              ))}
            </ul>
          </section>
        )}
        <table class="data-table">
          <caption>{t('admin.import.history')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.import.id')}</th>
              <th scope="col">{t('admin.import.layer')}</th>
              <th scope="col">{t('admin.import.source')}</th>
              <th scope="col">{t('admin.import.status')}</th>
              <th scope="col">{t('admin.import.time')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(data?.imports ?? []).map((x) => (
              <tr key={x.id}>
                <td>{x.id}</td>
                <td>{t(`admin.layer.${x.layer}`)}</td>
                <td>{x.source}</td>
                <td>{x.active ? t('admin.import.active') : x.status === 'rejected' ? t('admin.import.statusRejected') : t('admin.import.inactive')}</td>
                <td>{formatTime(x.createdAt)}</td>
                <td>
                  <button type="button" onClick={() => void showReport(x.id)}>
                    {t('admin.import.showReport')}
                  </button>
                  {!x.active && x.status !== 'rejected' && (
                    <button type="button" onClick={() => void activate(x.id)}>
                      {t('admin.import.activate')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div ref={mapEl} class="admin-map" role="region" aria-label={t('admin.import.map')} data-problem-features={problemFeatures.length} data-problem-points={points.length} />
    </div>
  );
}
