import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { CluePipeline, type PointLocator } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { STREAM_SENSORS, gasReading, gasStream } from './helpers/gas-stream.js';
import { miniCatalogue, miniLocator } from './helpers/mini-city.js';

const log = createLogger('silent');
const CHILD = fileURLToPath(new URL('./helpers/crash-child.ts', import.meta.url));
const READINGS = 30;
let db: TestDb;
let store: CatalogueStore;
let dataDir: string;
/** The stream's first reading: an hour ago (not stale, not in the future), on whole seconds. */
let base: number;

before(async () => {
  db = await getTestDb();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-crash-'));
});
after(async () => {
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await resetDb(db.pool);
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(STREAM_SENSORS);
  base = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
});

/** Starts a child ingest process on the test database; `lines` yields what it prints. */
function startChild(env: Record<string, string> = {}): { child: ChildProcess; lines: AsyncIterator<string>; exited: Promise<number | string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, GW_TEST_DATABASE_URL: db.connectionString, STREAM_BASE: String(base), READINGS: String(READINGS), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, exited };
}

/** Reads the child's lines until one matches. */
async function waitFor(lines: AsyncIterator<string>, match: (line: string) => boolean): Promise<string> {
  for (;;) {
    const { value, done } = await lines.next();
    assert.ok(!done, 'the child process ended before printing the expected line');
    if (match(value)) return value;
  }
}

/** Kills a child outright, as a crash or `kill -9` would: no shutdown code runs. */
async function crash(c: ReturnType<typeof startChild>): Promise<void> {
  c.child.kill('SIGKILL');
  assert.equal(await c.exited, 'SIGKILL');
}

/** Runs a child to the end of the stream and checks it finished cleanly. */
async function runToEnd(): Promise<void> {
  const c = startChild();
  await waitFor(c.lines, (l) => l === 'done');
  assert.equal(await c.exited, 0);
}

async function counts() {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*) FROM device_events)::int AS events,
            ((SELECT count(*) FROM pipeline_pending) + (SELECT count(*) FROM device_events WHERE pipeline_error IS NOT NULL))::int AS unprocessed,
            (SELECT count(*) FROM clue_timeline WHERE actor = 'pipeline')::int AS timeline,
            (SELECT coalesce(sum(alert_count), 0) FROM clues)::int AS alerts,
            (SELECT count(*) FROM (SELECT 1 FROM clue_timeline GROUP BY source, detail -> 'alert' ->> 'ts' HAVING count(*) > 1) AS d)::int AS doubled`,
  );
  return rows[0] as { events: number; unprocessed: number; timeline: number; alerts: number; doubled: number };
}

/** Every reading stored once and processed once: one alert per 30 %LEL reading, none twice. */
async function assertExactlyOnce(): Promise<void> {
  const total = READINGS * STREAM_SENSORS.length;
  assert.deepEqual(await counts(), { events: total, unprocessed: 0, timeline: total / 2, alerts: total / 2, doubled: 0 });
}

test('killed after a batch was stored and acknowledged but before the pipeline ran: the next process detects it, once', async () => {
  const first = startChild({ CRASH_AFTER_STORE: '8' });
  await waitFor(first.lines, (l) => l === 'stored 8');
  await crash(first);
  const gap = await counts();
  assert.equal(gap.events, 8 * STREAM_SENSORS.length, 'eight chunks stored');
  assert.equal(gap.unprocessed, STREAM_SENSORS.length, 'the last chunk stored but never detected');
  assert.equal(gap.timeline, 3 * STREAM_SENSORS.length, 'seven chunks detected: chunks 2, 4 and 6 raised a high alarm per sensor');

  await runToEnd();
  await assertExactlyOnce();
});

test('killed at an arbitrary moment mid-stream (storing, or inside a pipeline transaction): nothing lost, nothing doubled', async () => {
  const first = startChild();
  await waitFor(first.lines, (l) => l === 'acked 5');
  await crash(first);
  await runToEnd();
  await assertExactlyOnce();
});

test('a handler failure leaves stored events to the sweep; a poison event is given up after its attempts, the rest go through', async () => {
  const sink = new BatchingIngestSink({
    pool: db.pool,
    devices: new DeviceRegistry(db.pool),
    dataDir,
    log,
    onAccepted: async () => {
      throw new Error('the pipeline is broken');
    },
  });
  for (const chunk of gasStream(base, 4)) await sink.submit(chunk);
  // A reading the locator cannot handle (a bug hit by one input).
  await sink.submit([gasReading('gas-s1', base + 40_000, 2, 13)]);
  await sink.close();
  assert.equal((await counts()).unprocessed, 17);

  const plain = miniLocator();
  const locator: PointLocator = {
    locate: (lon, lat, crs, accuracyM) => {
      if (accuracyM === 13) throw new Error('locating failed on this point');
      return plain.locate(lon, lat, crs, accuracyM);
    },
  };
  const pipeline = new CluePipeline({ pool: db.pool, locator, catalogue: store, log, recovery: { backoffMs: 0, maxAttempts: 3 } });
  assert.deepEqual(await pipeline.sweep({ graceMs: 0 }), { processed: 16, failed: 1, givenUp: 0 });
  assert.deepEqual(await pipeline.sweep({ graceMs: 0 }), { processed: 0, failed: 1, givenUp: 0 });
  assert.deepEqual(await pipeline.sweep({ graceMs: 0 }), { processed: 0, failed: 1, givenUp: 1 });
  assert.deepEqual(await pipeline.sweep({ graceMs: 0 }), { processed: 0, failed: 0, givenUp: 0 }, 'a given-up event is not tried again');

  const { rows: events } = await db.pool.query(`SELECT event_id, pipeline_attempts, pipeline_error FROM device_events WHERE pipeline_attempts > 0`);
  assert.deepEqual(events, [{ event_id: `gas-s1-${base + 40_000}`, pipeline_attempts: 3, pipeline_error: 'locating failed on this point' }]);
  const { rows: letters } = await db.pool.query(`SELECT code, device_id, reason, raw FROM dead_letters`);
  assert.equal(letters.length, 1);
  assert.equal(letters[0].code, 'GW_PIPELINE_FAILED');
  assert.equal(letters[0].device_id, 'gas-s1');
  assert.match(letters[0].reason, /failed 3 times .*locating failed on this point/);
  assert.equal(JSON.parse(letters[0].raw).eventId, `gas-s1-${base + 40_000}`);
  const after = await counts();
  assert.deepEqual(after, { events: 17, unprocessed: 1, timeline: 8, alerts: 8, doubled: 0 }, 'the given-up event stays stored, unprocessed');
});

test('two replicas sweeping the same backlog at once take each event once', async () => {
  const sink = new BatchingIngestSink({ pool: db.pool, devices: new DeviceRegistry(db.pool), dataDir, log });
  for (const chunk of gasStream(base, READINGS)) await sink.submit(chunk);
  await sink.close();
  const otherPool = new pg.Pool({ connectionString: db.connectionString, max: 1 });
  try {
    const replica = (pool: pg.Pool) => new CluePipeline({ pool, locator: miniLocator(), catalogue: store, log, recovery: { batchSize: 16 } });
    const [a, b] = await Promise.all([replica(db.pool).sweep({ graceMs: 0 }), replica(otherPool).sweep({ graceMs: 0 })]);
    assert.equal(a.processed + b.processed + (await counts()).unprocessed, READINGS * STREAM_SENSORS.length);
    // Whatever one replica skipped because the other held it, a later sweep takes.
    await replica(db.pool).sweep({ graceMs: 0 });
  } finally {
    await otherPool.end();
  }
  await assertExactlyOnce();
});
