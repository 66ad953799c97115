/**
 * The soak's chart (pure): samples over time drawn as a hand-made SVG, one panel per measure
 * (intake rate, end-to-end latency p99 per window, pipeline lag, heap, database pool wait),
 * sharing the time axis. No chart library: the file is small, diffable and opens in any browser.
 */
import { percentile } from './stats.js';

/** One sample of the soak, taken about once a second. */
export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  /** Events the service took in per second since the previous sample. */
  rate: number;
  heapMb: number;
  /** Time to check a connection out of the service's pool, ms. */
  poolWaitMs: number;
  /** Events stored but not yet through the clue pipeline (rows of its work list). */
  pending: number;
  /** Age of the oldest of those, seconds since it was received (0 when none). */
  oldestPendingS: number;
}

/** One end-to-end probe: when it was sent (seconds since the load started) and its latency, null when lost. */
export interface ProbeSample {
  t: number;
  ms: number | null;
}

/** The probes of one time window, summarised. */
export interface LatencyWindow {
  /** The window's end, seconds since the load started. */
  t: number;
  /** p99 of the answered probes, ms; NaN when none was answered. */
  p99Ms: number;
  answered: number;
  lost: number;
}

/**
 * The probes cut into consecutive windows of `windowS` seconds (the last one may be shorter):
 * p99 per window, so a latency that grows over the soak shows as a rising line rather than being
 * folded into one figure. A window with no probe is left out.
 */
export function latencyWindows(probes: readonly ProbeSample[], windowS: number): LatencyWindow[] {
  const byWindow = new Map<number, ProbeSample[]>();
  for (const p of probes) {
    const k = Math.floor(p.t / windowS);
    byWindow.set(k, [...(byWindow.get(k) ?? []), p]);
  }
  const lastT = Math.max(0, ...probes.map((p) => p.t));
  return [...byWindow.entries()]
    .sort(([a], [b]) => a - b)
    .map(([k, ps]) => {
      const answered = ps.flatMap((p) => (p.ms === null ? [] : [p.ms]));
      return { t: Math.min((k + 1) * windowS, lastT), p99Ms: answered.length ? percentile(answered, 99) : Number.NaN, answered: answered.length, lost: ps.length - answered.length };
    });
}

const WIDTH = 720;
const PANEL_H = 140;
const LEFT = 70;
const RIGHT = 20;
/** Space above the first panel for a title of one or two lines; more lines push the panels down. */
const TOP = 52;
const GAP = 30;

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const num = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * The SVG text of the chart: samples (about one a second) and the probes' latency windows; a
 * panel with no values gives its frame and a "no samples" note.
 */
export function soakChart(samples: readonly SoakSample[], latency: readonly LatencyWindow[], title: string): string {
  const every = (value: (s: SoakSample) => number) => samples.map((s) => ({ t: s.t, v: value(s) }));
  const panels: { label: string; unit: string; color: string; points: { t: number; v: number }[] }[] = [
    { label: 'intake rate', unit: 'events/s', color: '#1f77b4', points: every((s) => s.rate) },
    { label: 'latency p99 per window', unit: 'ms', color: '#9467bd', points: latency.map((w) => ({ t: w.t, v: w.p99Ms })) },
    { label: 'lag: events in the pipeline work list', unit: 'events', color: '#ff7f0e', points: every((s) => s.pending) },
    { label: 'lag: oldest waiting event', unit: 's old', color: '#8c564b', points: every((s) => s.oldestPendingS) },
    { label: 'heap used', unit: 'MB', color: '#2ca02c', points: every((s) => s.heapMb) },
    { label: 'DB pool wait', unit: 'ms', color: '#d62728', points: every((s) => s.poolWaitMs) },
  ];
  const titleLines = title.split('\n');
  const top = Math.max(TOP, 22 + titleLines.length * 15);
  const height = top + panels.length * (PANEL_H + GAP) + 20;
  const plotW = WIDTH - LEFT - RIGHT;
  const tMax = Math.max(1, ...panels.flatMap((p) => p.points.map((x) => x.t)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    // A title may have several lines ("\n"): the chart is narrower than a full run description.
    ...titleLines.map((line, i) => `<text x="10" y="${18 + i * 15}" font-size="12"${i ? '' : ' font-weight="bold"'}>${esc(line)}</text>`),
  ];
  panels.forEach((p, i) => {
    const y0 = top + i * (PANEL_H + GAP);
    const finite = p.points.filter((pt) => Number.isFinite(pt.v));
    const values = finite.map((pt) => pt.v);
    const vMax = Math.max(1e-9, ...values) * 1.1;
    const x = (t: number) => LEFT + (t / tMax) * plotW;
    const y = (v: number) => y0 + PANEL_H - (Math.max(v, 0) / vMax) * PANEL_H;
    parts.push(`<rect x="${LEFT}" y="${y0}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${LEFT + 6}" y="${y0 + 14}" fill="${p.color}">${esc(`${p.label} (${p.unit})`)}</text>`);
    parts.push(`<text x="${LEFT - 6}" y="${y0 + 10}" text-anchor="end">${num(vMax)}</text>`, `<text x="${LEFT - 6}" y="${y0 + PANEL_H}" text-anchor="end">0</text>`);
    if (values.length) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      parts.push(`<text x="${LEFT + plotW - 6}" y="${y0 + 14}" text-anchor="end">${esc(`mean ${num(mean)}, max ${num(Math.max(...values))}`)}</text>`);
      const pts = finite.map((pt) => `${x(pt.t).toFixed(1)},${y(pt.v).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="${p.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    } else {
      parts.push(`<text x="${LEFT + plotW / 2}" y="${y0 + PANEL_H / 2}" text-anchor="middle">no samples</text>`);
    }
  });
  const yAxis = top + panels.length * (PANEL_H + GAP) - GAP + 14;
  parts.push(`<text x="${LEFT}" y="${yAxis}">0 s</text>`, `<text x="${LEFT + plotW}" y="${yAxis}" text-anchor="end">${tMax.toFixed(0)} s</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}
