/**
 * `npm test`: starts one database for the whole suite (embedded PGlite+PostGIS, or the real
 * PostGIS named by DATABASE_URL), migrates it, then runs every `*.test.ts` file with node's
 * test runner, one file at a time (they share the database). Extra arguments filter files
 * by substring: `npm test -- geo/ ingest/`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrate.js';

const root = path.resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'data', 'dist', '.tmp']);

function findTests(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const files = findTests(root).filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!files.length) {
  console.error(`No test files match ${filters.join(' ')}`);
  process.exit(1);
}

let server: EmbeddedServer | undefined;
let tmp: string | undefined;
let url = process.env.DATABASE_URL;
const backend = url ? 'postgres' : 'embedded';
if (!url) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-test-'));
  server = await startEmbeddedServer(tmp, 4);
  url = server.connectionString;
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
await migrate(pool);
const { rows } = await pool.query<{ v: string }>('SELECT postgis_lib_version() AS v, version() AS pg');
await pool.end();
console.log(`# test database: ${backend} (PostGIS ${rows[0]!.v}), ${files.length} test files`);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, GW_TEST_DATABASE_URL: url, GW_TEST_DB_BACKEND: backend },
  },
);
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await server?.stop();
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
process.exit(code);
