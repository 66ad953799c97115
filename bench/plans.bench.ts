/**
 * Query plans of the batch writes and the state locks (issue 13), on real PostGIS only: the
 * ingest batch write (`storeBatch`: ingest/sql) and the clue pipeline's per-batch transaction
 * (`CluePipeline` → `writeBatch`: claim, advisory locks on the state keys, states, group-key
 * locks, open clues FOR UPDATE, codes, clues, timeline chain heads FOR UPDATE, timeline,
 * outbox, states upsert) run as the service runs them, and each of their statements is also run
 * once under `EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT)` inside a savepoint that is rolled back
 * before the real statement, so the plans are those of the service's own SQL files (db/sql.ts
 * `defineQueries`) with the batch's real parameters. The batch is 500 gas events of 60 sensors
 * with a leak reading every 20 events (alerts open clues, then join them), on a database holding
 * no prior device events, then 1,000,000 (`--quick`: 100,000) prior, processed ones.
 *
 * The data goes into a database of its own on DATABASE_URL's server (its name + `_plans`,
 * bench/own-database.ts), dropped at the end. (It was a schema in DATABASE_URL's database; since
 * the hotspot triggers of migration 116, two copies of the schema on one search_path make their
 * functions ambiguous.) Without DATABASE_URL the section says it was not measured: the embedded PGlite is a
 * single session whose plans say nothing about the real server's locks and indexes.
 *
 * Run alone: `DATABASE_URL=… npx tsx bench/run.ts plans`. Settings: GW_BENCH_PLANS_PRIOR (prior
 * events, 1,000,000; quick 100,000), GW_BENCH_PLANS_BATCHES (timed batches per size, 10; quick 3).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { createLogger } from '../core/logger.js';
import { loadSql } from '../db/sql.js';
import { dropOwnDatabase, freshOwnDatabase } from './own-database.js';
import { migrate } from '../db/migrate.js';
import { withTransaction } from '../db/transaction.js';
import type { GasSensorEvent } from '../ingest/device-event.js';
import { DeviceRegistry } from '../ingest/device-registry.js';
import { storeBatch } from '../ingest/event-store.js';
import { CatalogueStore } from '../server/catalogue/catalogue-store.js';
import { CluePipeline } from '../server/pipeline/clue-pipeline.js';
import { PLACES, miniCatalogue, miniLocator } from '../test/pipeline/helpers/mini-city.js';
import { fmt, formatSummary, markdownTable, summarize } from './stats.js';
import { loadRemark } from './load-remark.js';

const QUICK = process.env.GW_BENCH_QUICK === '1';
const PRIOR = Number(process.env.GW_BENCH_PLANS_PRIOR ?? (QUICK ? 100_000 : 1_000_000));
const BATCHES = Number(process.env.GW_BENCH_PLANS_BATCHES ?? (QUICK ? 3 : 10));
const BATCH = 500;
const SENSORS = 60;
/** Devices the prior events come from. */
const PRIOR_DEVICES = 10_000;
/** Event time between one reading and the next in a batch (all sensors together). */
const STEP_MS = 100;
/** Plan lines kept per statement in BENCHMARKS.md. */
const PLAN_LINES = 24;

const sql = (name: string): string => loadSql(new URL(`./sql/plans-${name}.sql`, import.meta.url));
const log = createLogger('silent');

/** The service's SQL files whose statements are explained, by their text: name is "folder/file". */
function serviceStatements(): Map<string, string> {
  const names = new Map<string, string>();
  for (const dir of ['../ingest/sql/', '../server/pipeline/sql/', '../server/clues/sql/']) {
    const url = new URL(dir, import.meta.url);
    for (const file of fs.readdirSync(url).filter((f) => f.endsWith('.sql')))
      names.set(loadSql(new URL(file, url)), `${dir.slice(3, -5)}/${file.slice(0, -4)}`);
  }
  return names;
}

interface Plan {
  text: string;
  executionMs: number;
}

/** The EXPLAIN ANALYZE of one statement with its parameters, on a client inside a transaction. */
async function explain(client: pg.ClientBase, text: string, values: unknown[] | undefined): Promise<Plan> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT)\n${text}`, values);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const exec = lines.map((l) => /^Execution Time: ([\d.]+) ms/.exec(l)).find((m) => m);
  return { text: lines.join('\n'), executionMs: Number(exec?.[1] ?? NaN) };
}

type QueryArgs = [string | { text: string; values?: unknown[] }, unknown[]?];
const textOf = ([q, values]: QueryArgs) => (typeof q === 'string' ? { text: q, values } : { text: q.text, values: q.values ?? values });

/**
 * The pool, except that each of the service's statements is first run under EXPLAIN ANALYZE and
 * rolled back (a savepoint inside the service's transaction; its own transaction otherwise),
 * then run for real. The plans land in `plans`, the last one per statement.
 */
function explaining(pool: pg.Pool, plans: Map<string, Plan>): pg.Pool {
  const names = serviceStatements();
  const client = (c: pg.PoolClient): pg.PoolClient =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return async (...args: QueryArgs) => {
          const { text, values } = textOf(args);
          const name = names.get(text);
          if (name) {
            await target.query('SAVEPOINT gw_plan');
            plans.set(name, await explain(target, text, values));
            await target.query('ROLLBACK TO SAVEPOINT gw_plan');
          }
          return (target.query as (...a: QueryArgs) => Promise<unknown>)(...args);
        };
      },
    });
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'connect') return async () => client(await target.connect());
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return async (...args: QueryArgs) => {
        const { text, values } = textOf(args);
        const name = names.get(text);
        if (name) {
          const c = await target.connect();
          try {
            await c.query('BEGIN');
            plans.set(name, await explain(c, text, values));
          } finally {
            await c.query('ROLLBACK');
            c.release();
          }
        }
        return (target.query as (...a: QueryArgs) => Promise<unknown>)(...args);
      };
    },
  });
}

/** Batch `b` of a series: 500 gas readings round the 60 sensors, a leak reading every 20th. */
function gasBatch(series: string, b: number, start: number): GasSensorEvent[] {
  return Array.from({ length: BATCH }, (_, k): GasSensorEvent => {
    const n = b * BATCH + k;
    const ts = start + n * STEP_MS;
    return {
      eventId: `${series}-${n}`,
      deviceId: `gas-bench-${k % SENSORS}`,
      kind: 'gas-sensor',
      ts,
      receivedAt: ts,
      position: { lon: PLACES.gas.lon + (k % SENSORS) * 0.00001, lat: PLACES.gas.lat, accuracyM: 5 },
      sourceCrs: 'wgs84',
      flags: [],
      // Each sensor leaks on every 20th of its own readings, the sensors taking turns: the reading
      // after a leak ends the episode, so each leak is a new alert (one event in 20 alerts).
      lelPct: (Math.floor(n / SENSORS) + (k % SENSORS)) % 20 === 0 ? 30 : 3,
      coPpm: null,
      batteryPct: 80,
      tamper: false,
    };
  });
}

interface Phase {
  storeMs: number[];
  pipelineMs: number[];
  plans: Map<string, Plan>;
  clues: number;
}

/**
 * `BATCHES` timed batches (stored as the sink stores them, then taken by the pipeline), then one
 * more through the explaining pool with a new pipeline (so its registration lookup is explained too).
 */
async function phase(pool: pg.Pool, series: string, start: number): Promise<Phase> {
  const catalogue = new CatalogueStore(pool, log);
  await catalogue.load();
  const out: Phase = { storeMs: [], pipelineMs: [], plans: new Map(), clues: 0 };
  const locator = miniLocator();
  const run = async (p: pg.Pool, pipeline: CluePipeline, b: number) => {
    const events = gasBatch(series, b, start);
    const t0 = performance.now();
    await storeBatch(p, crypto.randomUUID(), events.map((event) => ({ event, transport: 'mqtt' as const })), []);
    const t1 = performance.now();
    await pipeline.handle(events);
    return { storeMs: t1 - t0, pipelineMs: performance.now() - t1 };
  };
  // One pipeline for the timed batches, as in the service: its registration cache is warm after the first.
  const pipeline = new CluePipeline({ pool, locator, catalogue, log });
  for (let b = 0; b < BATCHES; b++) {
    const t = await run(pool, pipeline, b);
    out.storeMs.push(t.storeMs);
    out.pipelineMs.push(t.pipelineMs);
  }
  const explained = explaining(pool, out.plans);
  await run(explained, new CluePipeline({ pool: explained, locator, catalogue, log }), BATCHES);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM clues');
  out.clues = rows[0]!.n;
  return out;
}

/** Relations a plan reads with a sequential scan, and its trigger lines. */
function findings(plan: string): { seq: string; triggers: string } {
  const seq = [...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!))].join(', ');
  const triggers = [...plan.matchAll(/^Trigger ([^:]+): time=([\d.]+) calls=(\d+)/gm)].map((m) => `${m[1]} ${m[2]} ms`).join('; ');
  return { seq: seq || '–', triggers: triggers || '–' };
}

/** Characters kept of a plan line: a filter on the batch's 500 keys would fill a page. */
const LINE_CHARS = 160;

/** The plan as kept in BENCHMARKS.md: its first PLAN_LINES lines and its timing lines, each cut to LINE_CHARS. */
function trimmed(plan: string): string {
  const cut = (l: string) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l);
  const lines = plan.split('\n').map(cut);
  if (lines.length <= PLAN_LINES) return lines.join('\n');
  const rest = lines.slice(PLAN_LINES);
  const tail = rest.filter((l) => /^(Planning Time|Execution Time|Trigger)/.test(l));
  const left = rest.length - tail.length;
  return [...lines.slice(0, PLAN_LINES), ...(left ? [`… (${left} plan lines left out)`] : []), ...tail].join('\n');
}

/** The plans bench's markdown section. */
export default async function plansBench(): Promise<string> {
  const url = process.env.DATABASE_URL;
  const head = ['## Query plans of the batch writes and the state locks', ''];
  if (!url)
    return [...head, 'Not measured: DATABASE_URL is not set. The plans are of the real PostgreSQL server (its indexes, triggers and lock manager); the embedded PGlite is one session in this process and says nothing about them.', ''].join('\n');
  // A database of its own, so its million events and its migrated schema mix with no other.
  const own = (await freshOwnDatabase('plans'))!;
  const pool = new pg.Pool({ connectionString: own, max: 2 });
  try {
    await migrate(pool);
    await new CatalogueStore(pool, log).importData(miniCatalogue(), 'json', 'bench');
    await new DeviceRegistry(pool).importDevices(
      Array.from({ length: SENSORS }, (_, i) => ({ id: `gas-bench-${i}`, kind: 'gas-sensor' as const, metadata: { reportingIntervalS: 60 } })),
    );
    // Event times go on from one phase to the next: the detectors skip events older than a state's last.
    const start = Date.now() - 1_800_000;
    const empty = await phase(pool, 'empty', start);
    const t0 = performance.now();
    await withTransaction(pool, async (c) => {
      await c.query(sql('seed'), [PRIOR, PRIOR_DEVICES]);
      await c.query(sql('seed-states'), [PRIOR_DEVICES]);
    });
    await pool.query(sql('analyze'));
    const seedS = (performance.now() - t0) / 1000;
    const full = await phase(pool, 'full', start + (BATCHES + 1) * BATCH * STEP_MS);
    return report(empty, full, seedS);
  } finally {
    await pool.end();
    await dropOwnDatabase(own);
  }
}

function report(empty: Phase, full: Phase, seedS: number): string {
  const big = fmt(PRIOR);
  const names = [...new Set([...empty.plans.keys(), ...full.plans.keys()])];
  const ms = (p: Plan | undefined) => (p ? fmt(p.executionMs, 2) : '–');
  const rows = names.map((n) => {
    const f = findings(full.plans.get(n)?.text ?? '');
    return [n, ms(empty.plans.get(n)), ms(full.plans.get(n)), f.seq, f.triggers];
  });
  return [
    '## Query plans of the batch writes and the state locks',
    '',
    loadRemark(),
    '',
    `One batch is ${BATCH} gas events of ${SENSORS} sensors (a leak reading every 20th event, so alerts open clues and then join them), stored by \`storeBatch\` and then taken by \`CluePipeline.handle\`, as the sink does. ` +
      `Each size runs ${BATCHES} timed batches, then one more whose every service statement is also run under \`EXPLAIN (ANALYZE, BUFFERS)\` in a rolled-back savepoint just before it runs for real. ` +
      `The prior events (all processed, from ${fmt(PRIOR_DEVICES)} other sensors, whose detector states are stored too) took ${fmt(seedS, 1)} s to insert and ANALYZE. One writer: no lock waits can show here; the advisory locks and FOR UPDATE rows are taken uncontended.`,
    '',
    markdownTable(
      ['prior device events', 'store batch (ms)', 'pipeline batch (ms)', 'clues at the end'],
      [
        ['0', formatSummary(summarize(empty.storeMs), 1), formatSummary(summarize(empty.pipelineMs), 1), fmt(empty.clues)],
        [big, formatSummary(summarize(full.storeMs), 1), formatSummary(summarize(full.pipelineMs), 1), fmt(full.clues)],
      ],
      ['r', 'r', 'r', 'r'],
    ),
    '',
    `Execution time of each statement under EXPLAIN ANALYZE (one run each; the real run follows with a warm cache), and what the plan at ${big} prior events shows:`,
    '',
    markdownTable(['statement (SQL file)', 'ms, 0 prior', `ms, ${big} prior`, `seq scans (${big})`, `trigger time (${big})`], rows, ['l', 'r', 'r', 'l', 'l']),
    '',
    `Plans at ${big} prior events, trimmed to ${PLAN_LINES} lines:`,
    '',
    ...names.flatMap((n) => {
      const p = full.plans.get(n);
      return p ? [`<details><summary>${n}</summary>`, '', '```text', trimmed(p.text), '```', '', '</details>', ''] : [];
    }),
  ].join('\n');
}
