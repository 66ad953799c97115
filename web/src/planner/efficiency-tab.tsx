import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { pick, t, useLang } from '../app/i18n.js';
import { loadTownNames } from './town-names.js';
import { loadUnits, type UnitName } from '../command/units.js';
import { toCsv } from './download.js';
import { dayEnd, dayStart, defaultRange, ExportLink, useFetch } from '../view-kit.js';
import type { GetAnswer } from '../api.js';

/** The efficiency answer, shared by the tab and its chart. */
type Efficiency = GetAnswer<'/api/v1/efficiency'>;
type Row = Efficiency['rows'][number];
type Column = keyof Row;

/** The columns shown, in order; rates are shown as percentages. */
const COLUMNS: Column[] = ['key', 'clues', 'acceptOnTimeRate', 'closeOnTimeRate', 'firstDispatchPrecision', 'medianAcceptMin', 'medianCloseMin', 'closedAtSourceShare', 'overdue'];
const RATES = new Set<Column>(['acceptOnTimeRate', 'closeOnTimeRate', 'firstDispatchPrecision', 'closedAtSourceShare']);

function cell(row: Row, c: Column): string {
  const v = row[c];
  if (v === null) return '–';
  if (RATES.has(c)) return `${Math.round(Number(v) * 1000) / 10}%`;
  if (c === 'medianAcceptMin' || c === 'medianCloseMin') return String(Math.round(Number(v)));
  return String(v);
}

/** Nulls sort last whichever way, so units with nothing judged never top the table. */
function compare(a: Row, b: Row, c: Column, dir: 1 | -1): number {
  const x = a[c];
  const y = b[c];
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
}

/**
 * Per-unit or per-town efficiency (GET /api/v1/efficiency) as a table sorted by any column
 * (keyboard: the headers are buttons) and a small bar chart of the on-time closing rate.
 */
export default function EfficiencyTab() {
  const range = useMemo(() => defaultRange(30), []);
  const [by, setBy] = useState<'unit' | 'town'>('unit');
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [sort, setSort] = useState<{ c: Column; dir: 1 | -1 }>({ c: 'clues', dir: -1 });
  const lang = useLang();
  // Units and towns by name, not by id or code (team-330203003 means nothing to a planner).
  const [units, setUnits] = useState<Map<string, UnitName>>(new Map());
  const [towns, setTowns] = useState<Map<string, string>>(new Map());
  useEffect(() => void loadUnits().then((us) => setUnits(new Map(us.map((u) => [u.id, u])))).catch(() => undefined), []);
  useEffect(() => void loadTownNames().then(setTowns).catch(() => undefined), []);
  const label = (key: string | null) => {
    if (key === null) return t('planner.eff.none');
    if (by === 'town') return towns.get(key) ?? key;
    const unit = units.get(key);
    return unit ? pick(unit.name) : key;
  };
  const q = new URLSearchParams({ by, from: dayStart(from), to: dayEnd(to) });
  const { data, error } = useFetch<Efficiency>(`/api/v1/efficiency?${q}`);
  const rows = useMemo(() => [...(data?.rows ?? [])].sort((a, b) => compare(a, b, sort.c, sort.dir)), [data, sort]);

  const chartEl = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!chartEl.current || rows.length === 0) return;
    const xs = rows.map((_, i) => i);
    const ys = rows.map((r) => (r.closeOnTimeRate === null ? null : r.closeOnTimeRate * 100));
    const plot = new uPlot(
      {
        width: Math.min(720, chartEl.current.clientWidth || 600),
        height: 180,
        // Room for the first and last bars' labels, which are centred on the bars and were cut at the edges.
        padding: [8, 90, 0, 90],
        legend: { show: false },
        scales: { x: { time: false }, y: { range: [0, 100] } },
        axes: [{ values: (_u, ticks) => ticks.map((i) => (rows[i] ? label(rows[i].key) : '')) }, { values: (_u, ticks) => ticks.map((v) => `${v}%`) }],
        series: [{}, { label: t('planner.eff.closeOnTimeRate'), stroke: '#b03a2e', fill: 'rgba(176,58,46,0.35)', paths: uPlot.paths.bars!({ size: [0.6, 40] }) }],
      },
      [xs, ys],
      chartEl.current,
    );
    return () => plot.destroy();
  }, [rows, units, lang]);

  const csv = useCallback(() => toCsv(Object.keys(data?.rows[0] ?? { key: '' }), (data?.rows ?? []) as unknown as Record<string, unknown>[]), [data]);

  return (
    <div class="efficiency">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('planner.eff.by')}
          <select value={by} onChange={(e) => setBy(e.currentTarget.value as 'unit' | 'town')}>
            <option value="unit">{t('planner.eff.byUnit')}</option>
            <option value="town">{t('planner.eff.byTown')}</option>
          </select>
        </label>
        <label>
          {t('planner.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('planner.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <ExportLink make={csv} type="text/csv" name={`efficiency-${by}.csv`} label={t('planner.exportCsv')} />
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      <div ref={chartEl} class="efficiency-chart" role="img" aria-label={t('planner.eff.chart')} />
      <table class="data-table">
        <caption>{t('planner.eff.caption', { n: rows.length })}</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" aria-sort={sort.c === c ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                <button type="button" class="sort" onClick={() => setSort({ c, dir: sort.c === c ? (-sort.dir as 1 | -1) : -1 })}>
                  {t(`planner.eff.${c}`)}
                  {sort.c === c ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data && rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} class="muted">
                {t('planner.eff.empty')}
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.key ?? '-'}>
              {COLUMNS.map((c) => (
                <td key={c}>{c === 'key' ? label(r.key) : cell(r, c)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
