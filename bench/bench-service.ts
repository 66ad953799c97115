/**
 * The service and the bare embedded database the benches run on. A full run starts a fresh one
 * for each bench, as a user's first start would. `--quick` (GW_BENCH_QUICK=1) is a smoke run: it
 * starts each at most once (the demo service once per database, the bare PGlite once) and the
 * benches of the run share it (the map bench excepted: it needs gas sensors with no open clue), so the start (opening PGlite ~5 s, seeding the demo city, users and
 * devices) is paid once instead of by every bench; bench/run.ts closes them at the end.
 * The shared demo service runs the union of what its benches need: simulators off, the mock Kafka
 * cluster (the simulator bench's Kafka run), response checking off.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createLogger } from '../core/logger.js';
import { startEmbeddedServer, type EmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';
import { loadSql } from '../db/sql.js';
import { freshDataDir, serviceDataDir } from '../test/helpers/embedded-template.js';
import { startGridwatchIn, type TestGridwatch } from '../test/helpers/gridwatch.js';
import { phase } from './phase-log.js';

const quick = (): boolean => process.env.GW_BENCH_QUICK === '1';
/** Events stored but not yet through the clue pipeline (the soak's lag query). */
const LAG_SQL = loadSql(new URL('./sql/soak-lag.sql', import.meta.url));
/** How long a shared service may take to finish the previous bench's events before the next bench starts anyway. */
const SETTLE_MS = 60_000;

/** A running demo service (ephemeral ports, its DATA_DIR) and how to let go of it. */
export interface BenchService extends TestGridwatch {
  /** Stops it and removes its DATA_DIR; for the shared quick service, does nothing (run.ts closes it). */
  close(): Promise<void>;
}

/** A bare embedded PGlite (migrated, two connections) and how to let go of it. */
export interface BenchDatabase {
  server: EmbeddedServer;
  /** Stops it and removes its folder; for the shared quick database, does nothing. */
  close(): Promise<void>;
}

const sharedServices = new Map<string, Promise<BenchService>>();
let sharedDatabase: Promise<BenchDatabase> | undefined;

/** A fresh demo service (simulators off) of the bench's own, in quick runs too; like benchService's full-run one. */
export async function ownBenchService(prefix: string, databaseUrl: string | undefined, env: Record<string, string> = {}): Promise<BenchService> {
  const dataDir = await serviceDataDir(prefix, databaseUrl);
  const base: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, DEMO: '1', SIMULATORS: '0', LOG_LEVEL: 'silent' };
  if (databaseUrl) base.DATABASE_URL = databaseUrl;
  const service = await startGridwatchIn(dataDir, { ...base, ...env }, createLogger('silent'));
  phase(`service started (${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, demo seeded)`);
  return service;
}

/**
 * The demo service (simulators off) on `databaseUrl`, or on embedded PGlite when it is undefined;
 * `env` adds settings for a full run's own service. With `--quick`, the run's one service on that
 * database (the demo logins are those of its first start).
 */
export function benchService(prefix: string, databaseUrl: string | undefined, env: Record<string, string> = {}): Promise<BenchService> {
  if (!quick()) return ownBenchService(prefix, databaseUrl, env);
  const key = databaseUrl ?? '';
  let shared = sharedServices.get(key);
  if (!shared) {
    shared = ownBenchService('gw-bench-quick-', databaseUrl, { KAFKA_MOCK: '1', CHECK_RESPONSES: '0' });
    sharedServices.set(key, shared);
  }
  return shared.then(async (s) => {
    await settle(s);
    return { ...s, close: async () => undefined };
  });
}

/**
 * Waits until the clue pipeline has processed every stored event, or `timeoutMs` has passed;
 * resolves with how many were still pending (0 = drained).
 */
export async function waitForPipeline(service: TestGridwatch, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pending = 0;
  while ((pending = (await service.gw.db.pool.query<{ pending: number }>(LAG_SQL)).rows[0]!.pending) > 0 && Date.now() < deadline) await sleep(200);
  return pending;
}

/** Lets a bench on the shared service start only once the previous bench's backlog is processed (or SETTLE_MS passed: it says so). */
async function settle(service: TestGridwatch): Promise<void> {
  const pending = await waitForPipeline(service, SETTLE_MS);
  phase(pending ? `shared service: ${pending} events still in the pipeline after ${SETTLE_MS / 1000} s, going on` : 'shared service: pipeline drained');
}

async function openDatabase(prefix: string): Promise<BenchDatabase> {
  const dir = await freshDataDir(prefix);
  // Two connections: the bench's pool, and a forked load process's (the live bench's producer).
  const server = await startEmbeddedServer(dir, 2);
  try {
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
    await migrate(pool).finally(() => pool.end());
  } catch (err) {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  phase('embedded PGlite opened');
  return {
    server,
    async close() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bare, migrated embedded PGlite serving two connections; with `--quick`, the run's one. */
export function benchDatabase(prefix: string): Promise<BenchDatabase> {
  if (!quick()) return openDatabase(prefix);
  sharedDatabase ??= openDatabase('gw-bench-quick-db-');
  return sharedDatabase.then((d) => ({ ...d, close: async () => undefined }));
}

/** Closes what `--quick` shared (run.ts, after the last bench). */
export async function closeShared(): Promise<void> {
  const all = [...sharedServices.values(), ...(sharedDatabase ? [sharedDatabase] : [])];
  sharedServices.clear();
  sharedDatabase = undefined;
  for (const s of await Promise.allSettled(all)) if (s.status === 'fulfilled') await (s.value as { close(): Promise<void> }).close();
}
