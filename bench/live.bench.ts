/**
 * Live WebSocket fan-out benchmark: clue events committed to `clue_outbox` at a fixed rate (the
 * way the clue store queues them: `recordChanges` in a transaction, 100 per 50 ms at 2,000/s),
 * tailed by the real LiveHub and sent as scoped diffs to N connected WebSocket clients (ws,
 * loopback). Each client is an operator of one of T towns; events are spread over the towns, so
 * each client sees 1/T of them (T = 1: everyone sees everything).
 *
 * The hub (and the embedded database) run in this process; the producer and the clients run in
 * a forked one (bench/live-load.ts), so this process's CPU time is the hub's own.
 *
 * Measures: diffs delivered per second over all clients, batch built → client parsed latency
 * (p50/p95/p99/max) over every delivered diff, the commit's share of it, clients cut off as too
 * slow (4429), and the hub process's CPU. Runs on the embedded PGlite and, with DATABASE_URL, on
 * real PostGIS. Run alone: `npx tsx bench/live.bench.ts`. Settings: GW_BENCH_LIVE_CLIENTS (200),
 * GW_BENCH_LIVE_RATE (events/s, 2000), GW_BENCH_LIVE_SECONDS (10; 3 with --quick),
 * GW_BENCH_LIVE_TOWNS (10), GW_BENCH_LIVE_EMBEDDED (0: real PostGIS only).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createLogger } from '../core/logger.js';
import { migrate } from '../db/migrate.js';
import { loadSql } from '../db/sql.js';
import { createUser, login } from '../server/auth/users.js';
import { LiveHub } from '../server/live/live-hub.js';
import type { LoadPlan, LoadResult } from './live-load.js';
import { benchDatabase } from './bench-service.js';
import { loadRemark } from './load-remark.js';
import { phase } from './phase-log.js';
import { percentile } from './stats.js';

const log = createLogger('silent');
const CLIENTS = Number(process.env.GW_BENCH_LIVE_CLIENTS ?? 200);
const RATE = Number(process.env.GW_BENCH_LIVE_RATE ?? 2000);
const SECONDS = Number(process.env.GW_BENCH_LIVE_SECONDS ?? (process.env.GW_BENCH_QUICK ? 3 : 10));
const TOWNS = Number(process.env.GW_BENCH_LIVE_TOWNS ?? 10);
const CLUES = 1000;
const TICK_MS = 50;
const sql = (name: string): string => loadSql(new URL(`./sql/live-${name}.sql`, import.meta.url));

interface Row {
  database: string;
  result: LoadResult;
  /** CPU seconds of this process (the hub, plus the embedded database) per second of the measured window. */
  hubCpu: number;
  /** Share of the measured window this process's event loop was busy. */
  hubLoop: number;
}

const town = (i: number) => `bench-town-${i}`;

async function runOn(database: string, pool: pg.Pool, databaseUrl: string): Promise<Row> {
  await pool.query(sql('clean'));
  const towns = Array.from({ length: TOWNS }, (_, i) => town(i));
  const { rows: clues } = await pool.query<LoadPlan['clues'][number]>(sql('seed-clues'), [CLUES, towns]);
  const tokens: string[] = [];
  for (let i = 0; i < TOWNS; i++) {
    const username = `bench-live-${i}`;
    await createUser(pool, { username, password: 'bench-password', displayName: username, role: 'operator', scopes: [town(i)], unitId: null });
    tokens.push((await login(pool, username, 'bench-password')).token);
  }
  await pool.query(sql('start-mark'), [clues[0]!.id]);
  const hub = new LiveHub({ pool, log, figuresMs: 3_600_000 });
  await hub.start();
  phase(`${database}: seeded, hub started`);
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live`;

  const load = fork(new URL('./live-load.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let cpu0 = process.cpuUsage();
  let loop0 = performance.eventLoopUtilization();
  let wall0 = performance.now();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    load.on('message', (m: LoadResult | { type: 'measuring' }) => {
      if (m.type === 'measuring') {
        cpu0 = process.cpuUsage();
        loop0 = performance.eventLoopUtilization();
        wall0 = performance.now();
      } else if (m.type === 'result') resolve(m);
    });
    load.once('exit', (code) => reject(new Error(`bench/live-load.ts exited with ${code} before reporting`)));
    const plan: LoadPlan = { url, databaseUrl, tokens, clues, clients: CLIENTS, rate: RATE, seconds: SECONDS, tickMs: TICK_MS };
    load.send(plan);
  });
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const hubLoop = performance.eventLoopUtilization(loop0).utilization;
  load.removeAllListeners('exit');

  await hub.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.query(sql('clean'));
  return { database, result, hubCpu: (cpu.user + cpu.system) / 1e6 / wall, hubLoop };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const pct = (xs: number[], p: number) => (xs.length ? percentile(xs, p) : Number.NaN);

function tableRow(r: Row): string {
  const x = r.result;
  const l = x.latencies;
  const c = x.fromCommit;
  return [
    r.database,
    fmt(x.events),
    fmt(x.events / x.producedS),
    `${fmt(x.delivered)} of ${fmt(x.expected)}`,
    `**${fmt(x.delivered / x.seconds)}**`,
    fmt(pct(l, 50)),
    fmt(pct(l, 95)),
    `**${fmt(pct(l, 99))}**`,
    fmt(pct(l, 100)),
    `${fmt(pct(x.commits, 50))} / ${fmt(pct(x.commits, 99))}`,
    `${fmt(pct(c, 50))} / ${fmt(pct(c, 99))}`,
    String(x.cutOff),
    `${fmt(r.hubCpu * 100)} % (loop ${fmt(r.hubLoop * 100)} %)`,
    String(x.lateTicks),
    fmt(x.warmUpS, 1),
  ].join(' | ');
}

/** Runs the live fan-out benchmark and returns its markdown section for docs/BENCHMARKS.md. */
export default async function liveBench(): Promise<string> {
  const remark = loadRemark();
  const rows: Row[] = [];
  if (process.env.GW_BENCH_LIVE_EMBEDDED !== '0') {
    // Two connections: the hub's, and the producer's in the load process.
    const db = await benchDatabase('gw-bench-live-');
    const pool = new pg.Pool({ connectionString: db.server.connectionString, max: 1 });
    try {
      rows.push(await runOn('embedded PGlite', pool, db.server.connectionString));
      phase('embedded run done');
    } finally {
      await pool.end();
      await db.close();
    }
  }
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    try {
      await migrate(pool);
      rows.push(await runOn('PostGIS', pool, process.env.DATABASE_URL));
    } finally {
      await pool.end();
    }
  }
  return [
    '## Live WebSocket fan-out',
    '',
    `Clue events committed to \`clue_outbox\` at ${fmt(RATE)} events/s for ${SECONDS} s (a batch every ${TICK_MS} ms, through \`recordChanges\`), tailed by the real LiveHub ` +
      `with its production settings (gap-safe high-water mark, scoped diffs) and sent to ${CLIENTS} WebSocket clients on loopback, each an operator of one of ${TOWNS} towns ` +
      `(each client sees 1/${TOWNS} of the events). The hub (and the embedded database) run in the bench process; the producer and the clients in a forked process ` +
      '(bench/live-load.ts), so the hub CPU is that process\'s own. Latency is from the batch being built to a client parsing the diff, over every delivered diff; ' +
      '"commit" is the batch built → its commit acknowledged to the producer, and "commit → client" the rest. ' +
      'Target (docs/DESIGN.md §9): p99 publish → clue on the WebSocket ≤ 250 ms at 2,000 events/s (this bench covers the outbox → WebSocket part).' +
      (process.env.DATABASE_URL ? '' : ' DATABASE_URL was not set, so real PostGIS was not measured in this run.'),
    '',
    remark,
    '',
    '| database | events | events/s committed | diffs delivered | diffs/s | p50 ms | p95 ms | p99 ms | max ms | commit p50 / p99 ms | commit → client p50 / p99 ms | clients cut off (4429) | hub CPU | late batches | warm-up s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${tableRow(r)} |`),
    '',
    'Hub CPU: CPU seconds of the bench process per second of the measured window (100 % = one core; with the embedded backend it includes PGlite), and the share of that window its event loop was busy. ' +
      'Events/s committed: what the producer achieved (below the rate set when its commits overran their ticks). Late batches: batches that started after their tick because the previous commit overran it (the producer then falls behind the rate). ' +
      'Diffs/s: over the producing time plus the drain. Warm-up: the time until a first event came through the gap-safe mark before measuring (a gap left by an earlier run is passed only once every transaction then running, in any database of the cluster, has ended).',
    '',
    'Reproduce: `npm run bench -- live` (add `DATABASE_URL=postgres://…` for PostGIS; `--quick` runs 3 s), or this section alone with `npx tsx bench/live.bench.ts`.',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await liveBench());
