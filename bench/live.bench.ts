/**
 * Live WebSocket fan-out benchmark: clue events committed to `clue_outbox` at a fixed rate (the
 * way the clue store queues them: `recordChanges` in a transaction, 100 per 50 ms at 2,000/s),
 * tailed by the real LiveHub and sent as scoped diffs to N connected WebSocket clients (ws,
 * loopback, in this process). Each client is an operator of one of T towns; events are spread
 * over the towns, so each client sees 1/T of them (T = 1: everyone sees everything).
 *
 * Measures: diffs delivered per second over all clients, and commit → received latency
 * (p50/p99) over every delivered diff, plus clients cut off as too slow (4429). Runs on the
 * embedded PGlite and, with DATABASE_URL, on real PostGIS. Run alone: `npx tsx bench/live.bench.ts`.
 * Settings: GW_BENCH_LIVE_CLIENTS (200), GW_BENCH_LIVE_RATE (events/s, 2000),
 * GW_BENCH_LIVE_SECONDS (5), GW_BENCH_LIVE_TOWNS (10).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { createLogger } from '../core/logger.js';
import { startEmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { loadSql } from '../db/sql.js';
import { withTransaction } from '../db/transaction.js';
import { createUser, login } from '../server/auth/users.js';
import type { QueuedClueEvent } from '../server/clues/clue-event.js';
import { recordChanges, type ClueView } from '../server/clues/stored-clue.js';
import { LiveHub } from '../server/live/live-hub.js';

const log = createLogger('silent');
const CLIENTS = Number(process.env.GW_BENCH_LIVE_CLIENTS ?? 200);
const RATE = Number(process.env.GW_BENCH_LIVE_RATE ?? 2000);
const SECONDS = Number(process.env.GW_BENCH_LIVE_SECONDS ?? 5);
const TOWNS = Number(process.env.GW_BENCH_LIVE_TOWNS ?? 10);
const CLUES = 1000;
const TICK_MS = 50;
const sql = (name: string): string => loadSql(new URL(`./sql/live-${name}.sql`, import.meta.url));

interface Row {
  database: string;
  events: number;
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  cutOff: number;
  /** Seconds until the first event came through (the gap-safe mark settling). */
  warmUpS: number;
}

const town = (i: number) => `bench-town-${i}`;

function view(code: string, townCode: string, lon: number, lat: number, n: number): ClueView {
  const t = new Date().toISOString();
  return {
    code,
    status: 'new',
    severity: 'medium',
    needsConfirmation: false,
    review: false,
    item: { code: 'bench-item', name: null },
    alertType: 'waste.dumping-outside-site',
    assetKey: code,
    catalogueVersion: null,
    alertCount: n,
    firstSeen: t,
    lastSeen: t,
    openedAt: t,
    deadline: t,
    windowMin: 30,
    primaryUnitId: 'bench-unit',
    coNotifiedUnitIds: [],
    boardUnitIds: [],
    districtCode: null,
    townCode,
    communityCode: null,
    gridCode: null,
    position: { lon, lat },
    device: null,
    summary: { zh: '测试', en: 'bench' },
    reasons: [],
    rejectedBy: [],
    closedAtSource: false,
    acceptDueAt: null,
    closeDueAt: null,
    acceptOverdue: false,
    closeOverdue: false,
    escalationLevel: 'town',
    // The commit time the receivers measure against (ms since epoch).
    details: { sentAt: Date.now() },
  };
}

async function runOn(database: string, pool: pg.Pool): Promise<Row> {
  await pool.query(sql('clean'));
  const towns = Array.from({ length: TOWNS }, (_, i) => town(i));
  const { rows: clues } = await pool.query<{ id: string; code: string; town_code: string; lon: number; lat: number }>(sql('seed-clues'), [CLUES, towns]);
  const tokens: string[] = [];
  for (let i = 0; i < TOWNS; i++) {
    const username = `bench-live-${i}`;
    await createUser(pool, { username, password: 'bench-password', displayName: username, role: 'operator', scopes: [town(i)], unitId: null });
    tokens.push((await login(pool, username, 'bench-password')).token);
  }
  const hub = new LiveHub({ pool, log, pollMs: 20, figuresMs: 3_600_000 });
  await hub.start();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/live`;

  const latencies: number[] = [];
  let delivered = 0;
  let cutOff = 0;
  let measuring = false;
  const sockets = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const ws = new WebSocket(url, ['gridwatch.live'], { headers: { authorization: `Bearer ${tokens[i % TOWNS]}` } });
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      ws.on('close', (code) => void (code === 4429 && cutOff++));
      await new Promise<void>((resolve) => {
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; fields?: { details?: { sentAt?: number } } };
          if (m.type === 'subscribed') return resolve();
          const sentAt = m.fields?.details?.sentAt;
          if (measuring && sentAt !== undefined) {
            delivered++;
            latencies.push(Date.now() - sentAt);
          }
        });
        ws.send(JSON.stringify({ type: 'subscribe' }));
      });
      return ws;
    }),
  );

  // Warm-up: the hub starts at the outbox's last id, and a gap after it (ids of rows deleted by an
  // earlier run) is only passed once every transaction that was running has ended (the gap-safe
  // mark). Wait for one event to come through before measuring.
  const warm = clues[0]!;
  await withTransaction(pool, (client) =>
    recordChanges(client, [], [{ clue_id: Number(warm.id), clue_code: warm.code, change: 'updated', unit_ids: ['bench-unit'], payload: { change: 'updated', clue: view(warm.code, warm.town_code, warm.lon, warm.lat, 0) } }]),
  );
  const { rows: top } = await pool.query<{ id: string }>(sql('last-id'));
  const warmStart = performance.now();
  while (hub.seq < Number(top[0]!.id) && performance.now() - warmStart < 120_000) await new Promise((r) => setTimeout(r, 50));
  const warmUpS = (performance.now() - warmStart) / 1000;

  // The producer: a batch every TICK_MS, each event a change to one of the clues.
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  let events = 0;
  let n = 0;
  measuring = true;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const tickStart = performance.now();
    const batch: QueuedClueEvent[] = [];
    for (let k = 0; k < perTick; k++) {
      const c = clues[n++ % clues.length]!;
      batch.push({ clue_id: Number(c.id), clue_code: c.code, change: 'updated', unit_ids: ['bench-unit'], payload: { change: 'updated', clue: view(c.code, c.town_code, c.lon, c.lat, n) } });
    }
    await withTransaction(pool, (client) => recordChanges(client, [], batch));
    events += batch.length;
    const wait = TICK_MS - (performance.now() - tickStart);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const produced = performance.now();
  // Let the hub and the sockets drain what was committed (bounded).
  const expected = (events * CLIENTS) / TOWNS;
  while (delivered < expected - cutOff * (events / TOWNS) && performance.now() - produced < 30_000) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - t0) / 1000;
  measuring = false;

  for (const ws of sockets) ws.terminate();
  await hub.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.query(sql('clean'));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { database, events, delivered, perSecond: delivered / seconds, p50: pct(50), p99: pct(99), cutOff, warmUpS };
}

const fmt = (n: number, digits = 0) => (Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Runs the live fan-out benchmark and returns its markdown section for docs/BENCHMARKS.md. */
export default async function liveBench(): Promise<string> {
  const rows: Row[] = [];
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-bench-live-'));
    const server = await startEmbeddedServer(dir);
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
    try {
      await migrate(pool);
      rows.push(await runOn('embedded PGlite', pool));
    } finally {
      await pool.end();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    try {
      await migrate(pool);
      rows.push(await runOn('PostGIS', pool));
    } finally {
      await pool.end();
    }
  }
  return [
    '## Live WebSocket fan-out',
    '',
    `Clue events committed to \`clue_outbox\` at ${fmt(RATE)} events/s for ${SECONDS} s (batches every ${TICK_MS} ms, through \`recordChanges\`), tailed by the real LiveHub ` +
      `(gap-safe high-water mark, scoped diffs) and sent to ${CLIENTS} WebSocket clients on loopback in the same process, each an operator of one of ${TOWNS} towns ` +
      `(each client sees 1/${TOWNS} of the events). Latency is from the commit's batch being built to a client parsing the diff, over every delivered diff. ` +
      'Target (docs/DESIGN.md §9): p99 publish → clue on the WebSocket ≤ 250 ms at 2,000 events/s (this bench covers the outbox → WebSocket part).' +
      (process.env.DATABASE_URL ? '' : ' DATABASE_URL was not set, so real PostGIS was not measured in this run.'),
    '',
    '| database | events | diffs delivered | diffs/s | p50 ms | p99 ms | clients cut off (4429) | warm-up s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.database} | ${fmt(r.events)} | ${fmt(r.delivered)} | **${fmt(r.perSecond)}** | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.cutOff} | ${fmt(r.warmUpS, 1)} |`),
    '',
    'Warm-up: the time until a first event came through the gap-safe mark before measuring (a gap left by an earlier run is passed only once every transaction then running, in any database of the cluster, has ended).',
    '',
    'Reproduce: `npm run bench -- live` (add `DATABASE_URL=postgres://…` for PostGIS), or this section alone with `npx tsx bench/live.bench.ts`.',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await liveBench());
