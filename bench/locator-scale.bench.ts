/**
 * Locator scaling (issue 13): how the in-memory locator's build time, heap and lookup rate grow
 * from 10k to 100k to 1M cells. The tessellations are synthetic: a square of quadrilateral cells
 * whose shared corners are jittered (so cells are irregular but tile the box exactly, no gaps),
 * grouped into communities of ~20 cells and 10 towns, no zones. The 10k size is the baseline
 * every ratio is measured against, in the same run. `--quick` stops at 30k, one build each.
 * Run alone: `npx tsx bench/locator-scale.bench.ts`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildLocator, type CellInput, type JurisdictionInput, type LocatorData } from '../geo/locator/build-locator.js';
import { blankResult } from '../geo/locator/locator.js';
import { prng } from '../test/geo/helpers/voronoi-city.js';
import { loadRemark } from './load-remark.js';
import { fmt, formatRatio, formatSummary, markdownTable, repeat, summarize, type Summary } from './stats.js';

const QUICK = process.env.GW_BENCH_QUICK === '1';
const SIZES = QUICK ? [10_000, 30_000] : [10_000, 100_000, 1_000_000];
const RUNS = QUICK ? 1 : 3;
const LOOKUP_MS = QUICK ? 300 : 1_000;
const POINTS = 100_000;
/** Ningbo-sized box, WGS84. */
const BBOX = [121.2, 29.6, 122.0, 30.2] as const;
const DISTRICT = '330299';

/** A side×side tessellation with jittered shared corners. */
function tessellation(cells: number, seed: number): LocatorData {
  const side = Math.round(Math.sqrt(cells));
  const rand = prng(seed);
  const [x0, y0, x1, y1] = BBOX;
  const dx = (x1 - x0) / side;
  const dy = (y1 - y0) / side;
  // Corners on the box edge stay put so the tessellation covers the box exactly.
  const corner = (i: number, j: number): [number, number] => {
    const jx = i === 0 || i === side ? 0 : (rand() - 0.5) * 0.6 * dx;
    const jy = j === 0 || j === side ? 0 : (rand() - 0.5) * 0.6 * dy;
    return [x0 + i * dx + jx, y0 + j * dy + jy];
  };
  const grid: [number, number][][] = [];
  for (let i = 0; i <= side; i++) {
    const col: [number, number][] = [];
    for (let j = 0; j <= side; j++) col.push(corner(i, j));
    grid.push(col);
  }
  const towns = 10;
  const jurisdictions: JurisdictionInput[] = [{ level: 'district', code: DISTRICT, name: '测试区', parentCode: null }];
  const out: CellInput[] = [];
  const perTown = Math.ceil(side / towns);
  for (let i = 0; i < side; i++) {
    const town = `${DISTRICT}${String(Math.floor(i / perTown) + 1).padStart(3, '0')}`;
    if (i % perTown === 0) jurisdictions.push({ level: 'town', code: town, name: `镇${town.slice(-3)}`, parentCode: DISTRICT });
    for (let j = 0; j < side; j++) {
      // A community is a 4×5 block of cells, numbered within its town.
      const community = `${town}${String(Math.floor((i % perTown) / 4) * Math.ceil(side / 5) + Math.floor(j / 5) + 1).padStart(6, '0')}`;
      if (i % 4 === 0 && j % 5 === 0 && i % perTown < perTown) {
        if (!jurisdictions.some((x) => x.code === community && x.level === 'community') && (i % perTown) % 4 === 0)
          jurisdictions.push({ level: 'community', code: community, name: `社区${community.slice(-6)}`, parentCode: town });
      }
      const ring = [grid[i]![j]!, grid[i + 1]![j]!, grid[i + 1]![j + 1]!, grid[i]![j + 1]!, grid[i]![j]!];
      out.push({ code: `${community}${String((i % 4) * 5 + (j % 5) + 1).padStart(4, '0')}`, name: '网格', communityCode: community, geometry: [[ring]] });
    }
  }
  return { cells: out, jurisdictions, zones: [] };
}

// A forced GC makes the heap figure mean "what one locator holds"; without it, garbage blurs it.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Row {
  cells: number;
  build: Summary;
  heapMb: number;
  rate: Summary;
  located: number;
}

async function measure(cells: number): Promise<Row> {
  const data = tessellation(cells, 7);
  const rand = prng(11);
  const [x0, y0, x1, y1] = BBOX;
  const xs = Float64Array.from({ length: POINTS }, () => x0 + rand() * (x1 - x0));
  const ys = Float64Array.from({ length: POINTS }, () => y0 + rand() * (y1 - y0));
  // Only at 1M does one build take long; three builds there would dominate the run.
  const builds = cells >= 1_000_000 ? 1 : RUNS;
  let locator = buildLocator(data);
  const times: number[] = [];
  for (let r = 0; r < builds; r++) {
    gc();
    const t0 = performance.now();
    locator = buildLocator(data);
    times.push(performance.now() - t0);
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  const probe = buildLocator(data);
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  void probe;
  const out = blankResult();
  let located = 0;
  for (let i = 0; i < POINTS; i++) if (locator.locateInto(out, xs[i]!, ys[i]!).grid) located++;
  const rate = await repeat(RUNS, async () => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < LOOKUP_MS) {
      for (let k = 0; k < 1000; k++, n++) locator.locateInto(out, xs[n % POINTS]!, ys[n % POINTS]!);
    }
    return n / ((performance.now() - t0) / 1000);
  });
  return { cells: data.cells.length, build: summarize(times), heapMb, rate, located: located / POINTS };
}

/** The markdown section for docs/BENCHMARKS.md. */
export default async function run(): Promise<string> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    console.error(`  locator-scale: ${fmt(n)} cells`);
    rows.push(await measure(n));
  }
  const base = rows[0]!;
  return [
    '## Locator scaling: 10k → 100k → 1M cells',
    '',
    `Synthetic tessellations (jittered quadrilateral cells tiling a Ningbo-sized box, communities of 20 cells, 10 towns, no zones), built with \`buildLocator\` and probed with ${fmt(POINTS)} uniform points on one core. Build: median (min–max) of ${RUNS} builds (1 at 1M); lookups: median (min–max) of ${RUNS} runs of ${LOOKUP_MS} ms. Ratios are against the 10k size measured in the same run. Heap is measured after a forced GC. ${loadRemark()}`,
    '',
    markdownTable(
      ['cells', 'build ms', 'build vs 10k', 'heap MB (one locator)', 'lookups/s', 'lookups vs 10k', 'points located'],
      rows.map((r) => [
        fmt(r.cells),
        formatSummary(r.build, 0),
        formatRatio(r.build.median, base.build.median),
        fmt(r.heapMb, 0),
        formatSummary(r.rate, 0),
        formatRatio(r.rate.median, base.rate.median),
        `${fmt(r.located * 100, 1)} %`,
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
