/**
 * Spatial bench (issue 10): nearby (KNN) latency over 1,000,000 stored clues, hotspot queries
 * over 10,000,000 stored alert events, and the size and build time of the binary map feed for
 * 1,000,000 clues, on real PostGIS (DATABASE_URL; the data goes to its own database,
 * gw_spatial_bench, on that server, or to GW_BENCH_SPATIAL_DB, created beforehand, and is
 * generated once: a later run with the same sizes reuses it). Sizes: GW_BENCH_SPATIAL_CLUES, GW_BENCH_SPATIAL_EVENTS, or `--quick` (20,000 / 200,000).
 * Parts: nearby, hotspots, feed; `--only=nearby` (or GW_BENCH_SPATIAL_ONLY=nearby) runs some of
 * them, and nearby alone needs no alert events. Run alone: `DATABASE_URL=… npx tsx bench/spatial.bench.ts`.
 */
import fs from 'node:fs';
import pg from 'pg';
import { loadSql } from '../db/sql.js';
import { migrate } from '../db/migrate.js';
import type { User } from '../server/auth/users.js';
import { clueClusters, clueFeed, nearbyClues } from '../server/spatial/clue-map.js';
import { hotspots } from '../server/spatial/hotspots.js';
import type { HotspotFilter } from '../server/spatial/spatial-queries.js';
import { prng } from '../test/helpers/prng.js';
import { loadBenchClues, type BenchPlace, type Box } from './clue-loader.js';

const sql = (name: string): string => loadSql(new URL(`./sql/spatial-${name}.sql`, import.meta.url));
/** The database spatial-create-db.sql creates when missing. */
const OWN_DB = 'gw_spatial_bench';
/** The bench's database; GW_BENCH_SPATIAL_DB names another one (e.g. one per worktree), which must exist already. */
const BENCH_DB = process.env.GW_BENCH_SPATIAL_DB ?? OWN_DB;
const quick = process.argv.includes('--quick') || process.env.GW_BENCH_QUICK === '1';
const CLUES = Number(process.env.GW_BENCH_SPATIAL_CLUES ?? (quick ? 20_000 : 1_000_000));
const EVENTS = Number(process.env.GW_BENCH_SPATIAL_EVENTS ?? (quick ? 200_000 : 10_000_000));
const NEARBY_QUERIES = quick ? 2_000 : 1_000;
/** Runs of each hotspot and feed query (one on the big data: each reads millions of rows). */
const RUNS = quick ? 3 : 1;

const admin: User = { id: 1, username: 'bench-admin', displayName: 'bench', role: 'admin', scopes: [], unitId: null };
/** A town's operator: the KNN walk skips clues outside the town. */
const townOp: User = { id: 2, username: 'bench-town', displayName: 'bench', role: 'operator', scopes: ['T2-1'], unitId: null };

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The bench's own database on DATABASE_URL's server, created and migrated when missing. */
async function benchPool(url: string): Promise<pg.Pool> {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  if (!(await admin.query(sql('db-exists'), [BENCH_DB])).rowCount) {
    if (BENCH_DB !== OWN_DB) throw new Error(`GW_BENCH_SPATIAL_DB=${BENCH_DB}: create that database first`);
    await admin.query(sql('create-db'));
  }
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${BENCH_DB}`;
  const pool = new pg.Pool({ connectionString: u.toString(), max: 1 });
  await pool.query(sql('postgis'));
  await migrate(pool);
  return pool;
}

const END = Date.parse('2026-03-01T00:00:00+08:00');
/** The Ningbo box the clues cover. */
const BOX: Box = [121.3, 29.7, 121.9, 30.1];

/**
 * Synthetic jurisdiction codes by position: 6 districts × 24 towns, communities and grid cells
 * as squares of 0.1°, 0.03° and 0.005° (the bench's own scopes; no boundary import needed).
 */
function squares(x: number, y: number): BenchPlace {
  const sq = (side: number) => `${Math.floor((x - BOX[0]) / side)}-${Math.floor((y - BOX[1]) / side)}`;
  return { district: `D${Math.floor((x - BOX[0]) / 0.1)}`, town: `T${sq(0.1)}`, community: `C${sq(0.03)}`, grid: `G${sq(0.005)}` };
}

/**
 * Generates what the selected parts read unless the database already holds exactly these sizes:
 * the clues (every part), the alert events (hotspots only). Returns how, for the report.
 */
async function ensureData(pool: pg.Pool, needEvents: boolean): Promise<string> {
  await pool.query(sql('restore-indexes')); // a run that died mid-load left them dropped
  const have = (await pool.query<{ clues: number; h3: number; alerts: number }>(sql('counts'))).rows[0]!;
  const cluesOk = have.clues === CLUES && have.h3 === CLUES;
  const eventsOk = cluesOk && have.alerts === EVENTS;
  if (cluesOk && (eventsOk || !needEvents)) return 'reused from an earlier run';
  const done: string[] = [];
  const d = await timed(() => pool.query(sql('drop-indexes')));
  if (!cluesOk) {
    await pool.query(sql('reset'));
    const c = await timed(() => loadBenchClues(pool, CLUES, { seed: 42, box: BOX, end: END, place: squares }));
    done.push(`clues ${fmt(c.ms / 1000, 1)} s (column arrays per INSERT, H3 by h3-js, bench/clue-loader.ts)`);
  } else {
    await pool.query(sql('reset-events'));
  }
  if (needEvents) {
    await pool.query(sql('seed'), [0.43]);
    const e = await timed(() => pool.query(sql('alerts'), [EVENTS, CLUES]));
    done.push(`events ${fmt(e.ms / 1000, 1)} s (one generate_series INSERT)`);
  }
  const r = await timed(() => pool.query(sql('restore-indexes')));
  const a = await timed(() => pool.query(sql('analyze')));
  return (
    `generated in this run: ${done.join(', ')}, with the secondary indexes and the unique and foreign-key constraints dropped and then built ` +
    `again, and the hotspot counts (migration 116) filled in one pass after the load instead of by their triggers (${fmt((d.ms + r.ms) / 1000, 1)} s), ANALYZE ${fmt(a.ms / 1000, 1)} s`
  );
}

async function nearbyRows(pool: pg.Pool): Promise<string[]> {
  const rand = prng(11);
  const rows: string[] = [];
  for (const [who, user] of [['whole city (admin)', admin], ['one town (operator)', townOp]] as const) {
    for (const radiusM of [500, 2_000]) {
      const ms: number[] = [];
      let found = 0;
      for (let i = 0; i < NEARBY_QUERIES + 50; i++) {
        const lon = 121.3 + rand() * 0.6;
        const lat = 29.7 + rand() * 0.4;
        const t = await timed(() => nearbyClues(pool, user, { lon, lat, radiusM, limit: 20 }));
        if (i >= 50) {
          ms.push(t.ms);
          found += t.value.length;
        }
      }
      rows.push(`| ${who} | ${fmt(radiusM)} m | 20 | ${fmt(NEARBY_QUERIES)} | ${fmt(found / NEARBY_QUERIES, 1)} | **${fmt(pct(ms, 50), 2)}** | **${fmt(pct(ms, 99), 2)}** | ${fmt(Math.max(...ms), 2)} |`);
    }
  }
  return rows;
}

async function hotspotRows(pool: pg.Pool): Promise<string[]> {
  const to = new Date('2026-03-01T00:00:00+08:00');
  const days = (n: number) => new Date(to.getTime() - n * 86_400_000);
  const cases: [string, HotspotFilter][] = [
    ['alerts per grid cell per day, 30 days', { level: 'grid', res: null, kind: 'alerts', from: days(30), to, bucket: 'day', limit: 200 }],
    ['alerts per town per week, 90 days', { level: 'town', res: null, kind: 'alerts', from: days(90), to, bucket: 'week', limit: 200 }],
    ['alerts per H3 r7 cell per week, 90 days, one item', { level: 'h3', res: 7, kind: 'alerts', item: 'item-3', from: days(90), to, bucket: 'week', limit: 200 }],
    ['clues per H3 r9 cell per day, 30 days', { level: 'h3', res: 9, kind: 'clues', from: days(30), to, bucket: 'day', limit: 200 }],
    ['clues per community per week, 90 days', { level: 'community', res: null, kind: 'clues', from: days(90), to, bucket: 'week', limit: 200 }],
  ];
  const rows: string[] = [];
  for (const [what, f] of cases) {
    const ms: number[] = [];
    let areas = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = await timed(() => hotspots(pool, admin, f));
      ms.push(t.ms);
      areas = t.value.areaCount;
    }
    rows.push(`| ${what} | ${fmt(areas)} | **${fmt(pct(ms, 50))}** | ${fmt(Math.min(...ms))} |`);
  }
  return rows;
}

async function feedRows(pool: pg.Pool): Promise<string[]> {
  const rows: string[] = [];
  for (const [what, q] of [
    ['every clue', {}],
    ['open clues (not closed)', { status: ['new', 'dispatched', 'accepted', 'handling', 'feedback'] as const }],
  ] as const) {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = await timed(() => clueFeed(pool, admin, { status: 'status' in q ? [...q.status] : undefined }));
      ms.push(t.ms);
      bytes = t.value.length;
    }
    const headerBytes = (await clueFeed(pool, admin, { bbox: [0, 0, 0.001, 0.001] })).length; // an empty feed: the header alone
    rows.push(`| binary feed, ${what} | ${fmt(bytes / 2 ** 20, 1)} MiB (header alone ${fmt(headerBytes)} B) | **${fmt(pct(ms, 50))}** | ${fmt(Math.min(...ms))} |`);
  }
  for (const z of [10, 13]) {
    const ms: number[] = [];
    let n = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = await timed(() => clueClusters(pool, admin, { z, bbox: [121.3, 29.7, 121.9, 30.1] }));
      ms.push(t.ms);
      n = t.value.clusters.length;
    }
    rows.push(`| clusters at zoom ${z}, whole city (${fmt(n)} clusters, JSON) | – | **${fmt(pct(ms, 50))}** | ${fmt(Math.min(...ms))} |`);
  }
  return rows;
}

/** The parts of this bench, in the order of their subsections. */
const PARTS = ['nearby', 'hotspots', 'feed'] as const;
type Part = (typeof PARTS)[number];
const SUBSECTION_TITLES: Record<Part, string> = {
  nearby: '### Nearby: `GET /api/v1/clues/nearby` (KNN on geography, GiST)',
  hotspots: '### Hotspots: `GET /api/v1/hotspots` (aggregated in the database)',
  feed: '### Map feed: `GET /api/v1/map/clues?format=bin` and `/api/v1/map/clusters`',
};
const KEPT_NOTE = '_Not rerun in the run above: kept from an earlier run of this bench._';

/**
 * The parts to run: `--only=nearby[,feed…]` or GW_BENCH_SPATIAL_ONLY (the flag sets the variable,
 * so the settings line of docs/BENCHMARKS.md records it); every part when neither is given.
 */
function selectedParts(): Part[] {
  const flag = process.argv.find((a) => a.startsWith('--only='));
  if (flag) process.env.GW_BENCH_SPATIAL_ONLY = flag.slice('--only='.length);
  const only = process.env.GW_BENCH_SPATIAL_ONLY;
  if (!only) return [...PARTS];
  const asked = only.split(',').map((x) => x.trim());
  const unknown = asked.filter((x) => !(PARTS as readonly string[]).includes(x));
  if (unknown.length) throw new Error(`GW_BENCH_SPATIAL_ONLY=${only}: no part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return PARTS.filter((p) => asked.includes(p));
}

/**
 * A part's subsection as docs/BENCHMARKS.md holds it from an earlier run, so a run of some parts
 * keeps the others' figures (marked as kept) instead of dropping them.
 */
function earlierSubsection(part: Part): string[] {
  const file = new URL('../docs/BENCHMARKS.md', import.meta.url);
  const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const section = /<!-- bench:spatial -->\n([\s\S]*?)<!-- \/bench:spatial -->/.exec(doc)?.[1] ?? '';
  const start = section.indexOf(SUBSECTION_TITLES[part]);
  if (start < 0) return [SUBSECTION_TITLES[part], '', 'Not measured yet.', ''];
  const rest = section.slice(start);
  const stop = rest.search(/\n(### |Reproduce: )/);
  const lines = rest.slice(0, stop < 0 ? undefined : stop).trimEnd().split('\n').filter((l) => l !== KEPT_NOTE);
  return [lines[0]!, '', KEPT_NOTE, ...lines.slice(1), ''];
}

async function nearbySection(pool: pg.Pool): Promise<string[]> {
  const plan = (await pool.query<{ 'QUERY PLAN': string }>(sql('explain-nearby'), [121.55, 29.87, townOp.scopes[0]])).rows.map((r) => r['QUERY PLAN']);
  return [
    SUBSECTION_TITLES.nearby,
    '',
    'Random points over the box (the first 50 of each series untimed). Goal (issue 10): p99 < 5 ms, bar < 20 ms. ' +
      'The query (server/spatial/sql/nearby-clues.sql) takes the nearest of one ordered GiST scan per scope code and level, each on an index that leads with that scope column (migration 110, btree_gist), ' +
      `or of one scan of the position index for the whole city. Plan of the town's scan (2 km): \`${plan.join(' / ').replace(/\s+/g, ' ')}\`.`,
    '',
    '| scope | radius | limit | queries | clues found (mean) | p50 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...(await nearbyRows(pool)),
    '',
  ];
}

async function hotspotSection(pool: pg.Pool): Promise<string[]> {
  return [
    SUBSECTION_TITLES.hotspots,
    '',
    `Whole-city scope; median of ${RUNS} run(s). "areas" is how many areas had counts. The periods end at a local midnight, so every day comes from ` +
      'the counts kept at write time (migration 116, server/spatial/hotspots.ts); a period starting or ending mid-day adds a raw query over those partial days.',
    '',
    '| query | areas | median ms | best ms |',
    '| --- | ---: | ---: | ---: |',
    ...(await hotspotRows(pool)),
    '',
  ];
}

async function feedSection(pool: pg.Pool): Promise<string[]> {
  return [
    SUBSECTION_TITLES.feed,
    '',
    `Build time = query (per status, severity and item, coordinates and codes built by string_agg in SQL on an index-only scan of clues_map, migration 117) + encoding in Node, median of ${RUNS} run(s), whole-city scope. Bytes per clue: 8 (Float32 lon, lat) + 2 (item) + 2 (status, severity) + the clue code and its newline.`,
    '',
    '| feed | size | median ms | best ms |',
    '| --- | ---: | ---: | ---: |',
    ...(await feedRows(pool)),
    '',
  ];
}

const SECTIONS: Record<Part, (pool: pg.Pool) => Promise<string[]>> = { nearby: nearbySection, hotspots: hotspotSection, feed: feedSection };

export default async function spatialBench(): Promise<string> {
  const url = process.env.DATABASE_URL;
  const head = '## Spatial: nearby, hotspots, map feed\n\n';
  if (!url) return `${head}Not measured: DATABASE_URL was not set (this bench runs on real PostGIS only).\n`;
  const parts = selectedParts();
  const pool = await benchPool(url);
  try {
    const data = await ensureData(pool, parts.includes('hotspots'));
    const version = (await pool.query<{ v: string }>(sql('version'))).rows[0]!.v;
    const alerts = (await pool.query<{ alerts: number }>(sql('counts'))).rows[0]!.alerts;
    const body: string[] = [];
    for (const part of PARTS) body.push(...(parts.includes(part) ? await SECTIONS[part](pool) : earlierSubsection(part)));
    return [
      head.trimEnd(),
      '',
      `Real PostgreSQL ${version}, the bench's own database (${BENCH_DB}): ${fmt(CLUES)} clues over a 60 × 45 km box around Ningbo (70 % around 40 hot spots), ` +
        `${alerts ? `${fmt(alerts)} alert events on their timelines over 90 days` : 'no alert events (only the hotspots read them)'}; data ${data}. One connection, queries one after another, through the service's own functions (server/spatial/clue-map.ts). ` +
        `Parts run: ${parts.join(', ')}.`,
      '',
      ...body,
      'Reproduce: `DATABASE_URL=postgres://… npm run bench -- spatial` (`-- spatial --quick` for small sizes, `-- spatial --only=nearby` or GW_BENCH_SPATIAL_ONLY=nearby,feed for some parts: the others keep their earlier figures), or `npx tsx bench/spatial.bench.ts`.',
      '',
    ].join('\n');
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await spatialBench());
