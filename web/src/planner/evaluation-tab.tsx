import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { pick, t } from '../app/i18n.js';
import { toCsv } from './download.js';
import { loadTownNames } from './town-names.js';
import { dayEnd, dayStart, defaultRange, ExportLink, useFetch } from '../view-kit.js';

type Evaluation = GetAnswer<'/api/v1/catalogue/evaluation'>;

/**
 * The catalogue evaluation (GET /api/v1/catalogue/evaluation): per town and item, whether the
 * power is delegated, and the evidence behind a "delegate" or "take back" flag (clue count,
 * on-time and late, on-time rate, transfer rate), with the thresholds the server judged by.
 */
export default function EvaluationTab() {
  const range = useMemo(() => defaultRange(90), []);
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [flaggedOnly, setFlaggedOnly] = useState(true);
  const [towns, setTowns] = useState<Map<string, string>>(new Map());
  useEffect(() => void loadTownNames().then(setTowns).catch(() => undefined), []);
  const q = new URLSearchParams({ from: dayStart(from), to: dayEnd(to) });
  const { data, error } = useFetch<Evaluation>(`/api/v1/catalogue/evaluation?${q}`);
  const rows = (data?.rows ?? []).filter((r) => !flaggedOnly || r.flag !== null);
  const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`);
  const csv = useCallback(() => toCsv(['townCode', 'itemCode', 'empowered', 'clues', 'onTime', 'late', 'onTimeRate', 'transferRate', 'flag'], (data?.rows ?? []) as unknown as Record<string, unknown>[]), [data]);

  return (
    <div class="evaluation">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('planner.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('planner.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={flaggedOnly} onChange={(e) => setFlaggedOnly(e.currentTarget.checked)} />
          {t('planner.eval.flaggedOnly')}
        </label>
        <ExportLink make={csv} type="text/csv" name="catalogue-evaluation.csv" label={t('planner.exportCsv')} />
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {data && (
        <p class="note">
          {t('planner.eval.options', { version: data.catalogueVersion, frequentMin: data.options.frequentMin, rareMax: data.options.rareMax, minOnTimeRate: pct(data.options.minOnTimeRate), minDue: data.options.minDue })}
        </p>
      )}
      <table class="data-table">
        <caption>{t('planner.eval.caption', { n: rows.length })}</caption>
        <thead>
          <tr>
            {['town', 'item', 'empowered', 'clues', 'onTime', 'late', 'onTimeRate', 'transferRate', 'flag'].map((c) => (
              <th key={c} scope="col">
                {t(`planner.eval.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.townCode}/${r.itemCode}`} class={r.flag ? `flag-${r.flag}` : ''}>
              <td>{towns.get(r.townCode) ?? r.townCode}</td>
              <td>
                {r.itemName ? pick(r.itemName) : r.itemCode}
                {r.itemName && <small> {r.itemCode}</small>}
              </td>
              <td>{r.empowered ? t('planner.eval.yes') : t('planner.eval.no')}</td>
              <td>{r.clues}</td>
              <td>{r.onTime}</td>
              <td>{r.late}</td>
              <td>{pct(r.onTimeRate)}</td>
              <td>{pct(r.transferRate)}</td>
              <td>{r.flag ? t(`planner.eval.flag.${r.flag}`) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
