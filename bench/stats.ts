/**
 * Pure helpers for the bench harness: summarising repeated runs (median and spread) and
 * formatting them for docs/BENCHMARKS.md. No I/O, so the harness's arithmetic is tested on its
 * own (test/bench/stats.test.ts) instead of trusted from a slow, noisy run.
 */

/** The median and spread (min/max) of several runs of one measurement. */
export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
}

/** Summarises the runs of one measurement; the median of an even count is the mean of the middle two. */
export function summarize(samples: readonly number[]): Summary {
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  // An empty or all-NaN series is a broken bench, not a zero: refuse it loudly.
  if (!xs.length) throw new Error('summarize: no finite samples');
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { runs: xs.length, median, min: xs[0]!, max: xs[xs.length - 1]! };
}

/** Nearest-rank percentile (p in 0..100) of samples, as latency tables report it. */
export function percentile(samples: readonly number[], p: number): number {
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!xs.length) throw new Error('percentile: no finite samples');
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * xs.length);
  return xs[Math.max(rank - 1, 0)]!;
}

/** A number with thousands separators and at most `digits` decimals. */
export function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** "**median** (min–max, n runs)": the form every bench figure takes in BENCHMARKS.md. */
export function formatSummary(s: Summary, digits = 0): string {
  if (s.runs === 1) return `**${fmt(s.median, digits)}** (1 run)`;
  return `**${fmt(s.median, digits)}** (${fmt(s.min, digits)}–${fmt(s.max, digits)}, ${s.runs} runs)`;
}

/** Candidate over baseline, measured in the same run, as "×1.23"; a zero baseline has no ratio. */
export function formatRatio(candidate: number, baseline: number): string {
  if (!(baseline > 0) || !Number.isFinite(candidate)) return 'n/a';
  return `×${(candidate / baseline).toFixed(2)}`;
}

/** A markdown table; cells are escaped so a `|` in a label cannot break the columns. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[], align?: readonly ('l' | 'r')[]): string {
  const cell = (v: string | number): string => String(v).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rule = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(cell).join(' | ')} |`;
  for (const r of rows) if (r.length !== header.length) throw new Error(`markdownTable: row has ${r.length} cells, header ${header.length}`);
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** Runs `measure` `runs` times (after `warmup` unrecorded runs) and summarises what it returns. */
export async function repeat(runs: number, measure: (i: number) => Promise<number>, warmup = 0): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await measure(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await measure(i));
  return summarize(out);
}
