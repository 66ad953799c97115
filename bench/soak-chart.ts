/**
 * The soak's chart (pure): samples over time drawn as a hand-made SVG, one panel per measure
 * (intake rate, heap, database pool wait), sharing the time axis. No chart library: the file is
 * small, diffable and opens in any browser.
 */

/** One sample of the soak, taken about once a second. */
export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  /** Events the service took in per second since the previous sample. */
  rate: number;
  heapMb: number;
  /** Time to check a connection out of the service's pool, ms. */
  poolWaitMs: number;
}

const WIDTH = 720;
const PANEL_H = 140;
const LEFT = 70;
const RIGHT = 20;
const TOP = 52;
const GAP = 30;

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const num = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The SVG text of the chart; an empty sample list gives the frame and a "no samples" note. */
export function soakChart(samples: readonly SoakSample[], title: string): string {
  const panels: { label: string; unit: string; color: string; value: (s: SoakSample) => number }[] = [
    { label: 'intake rate', unit: 'events/s', color: '#1f77b4', value: (s) => s.rate },
    { label: 'heap used', unit: 'MB', color: '#2ca02c', value: (s) => s.heapMb },
    { label: 'DB pool wait', unit: 'ms', color: '#d62728', value: (s) => s.poolWaitMs },
  ];
  const height = TOP + panels.length * (PANEL_H + GAP) + 20;
  const plotW = WIDTH - LEFT - RIGHT;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    // A title may have several lines ("\n"): the chart is narrower than a full run description.
    ...title.split('\n').map((line, i) => `<text x="10" y="${18 + i * 15}" font-size="12"${i ? '' : ' font-weight="bold"'}>${esc(line)}</text>`),
  ];
  panels.forEach((p, i) => {
    const y0 = TOP + i * (PANEL_H + GAP);
    const values = samples.map(p.value).filter((v) => Number.isFinite(v));
    const vMax = Math.max(1e-9, ...values) * 1.1;
    const x = (t: number) => LEFT + (t / tMax) * plotW;
    const y = (v: number) => y0 + PANEL_H - (Math.max(v, 0) / vMax) * PANEL_H;
    parts.push(`<rect x="${LEFT}" y="${y0}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${LEFT + 6}" y="${y0 + 14}" fill="${p.color}">${esc(`${p.label} (${p.unit})`)}</text>`);
    parts.push(`<text x="${LEFT - 6}" y="${y0 + 10}" text-anchor="end">${num(vMax)}</text>`, `<text x="${LEFT - 6}" y="${y0 + PANEL_H}" text-anchor="end">0</text>`);
    if (values.length) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      parts.push(`<text x="${LEFT + plotW - 6}" y="${y0 + 14}" text-anchor="end">${esc(`mean ${num(mean)}, max ${num(Math.max(...values))}`)}</text>`);
      const pts = samples.filter((s) => Number.isFinite(p.value(s))).map((s) => `${x(s.t).toFixed(1)},${y(p.value(s)).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="${p.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    } else {
      parts.push(`<text x="${LEFT + plotW / 2}" y="${y0 + PANEL_H / 2}" text-anchor="middle">no samples</text>`);
    }
  });
  const yAxis = TOP + panels.length * (PANEL_H + GAP) - GAP + 14;
  parts.push(`<text x="${LEFT}" y="${yAxis}">0 s</text>`, `<text x="${LEFT + plotW}" y="${yAxis}" text-anchor="end">${tMax.toFixed(0)} s</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}
