/**
 * Fresh DATA_DIRs for embedded services and databases in tests and benches, each holding a copy of
 * one migrated PGlite data directory. Creating PGlite with PostGIS from nothing takes about 18 s on
 * this 2-core machine (initdb and CREATE EXTENSION postgis run in WASM); copying the template takes
 * about 0.1 s and opening the copy about 5 s, and the suites and `npm run bench` start dozens.
 * The template lives in node_modules/.cache/gridwatch, inside the clone, so no other user of the
 * machine can plant one, keyed by the PGlite and PostGIS package versions and every migration's
 * checksum: a new or changed migration makes a new template (one unused for a day is removed).
 * GW_TEMPLATE_CACHE names another folder for it, e.g. an empty one to time a first run (a fresh
 * clone) without deleting the template other checkouts sharing node_modules use.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedServer } from '../../db/embedded.js';
import { migrate, readMigrations } from '../../db/migrate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = process.env.GW_TEMPLATE_CACHE ? path.resolve(process.env.GW_TEMPLATE_CACHE) : path.join(ROOT, 'node_modules/.cache/gridwatch');

const version = (pkg: string): string => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

let template: Promise<string> | undefined;

/**
 * The migrated template's pgdata folder, made on first use (by whichever process comes first);
 * a quick bench run makes it before its lanes start, so they copy it rather than both build it.
 */
export function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const key = crypto
      .createHash('sha256')
      .update([version('@electric-sql/pglite'), version('@electric-sql/pglite-postgis'), ...readMigrations().map((m) => `${m.version}:${m.checksum}`)].join('\n'))
      .digest('hex')
      .slice(0, 16);
    const pgdata = path.join(CACHE, `pgdata-${key}`);
    if (fs.existsSync(pgdata)) {
      const now = new Date();
      fs.utimesSync(pgdata, now, now);
      return pgdata;
    }
    fs.mkdirSync(CACHE, { recursive: true });
    const build = fs.mkdtempSync(path.join(CACHE, 'build-'));
    try {
      const server = await startEmbeddedServer(build);
      const pool = new pg.Pool({ connectionString: server.connectionString, max: 1 });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
        await server.stop();
      }
      // Another process may have finished first: its template is as good, keep it.
      try {
        fs.renameSync(path.join(build, 'pgdata'), pgdata);
      } catch (err) {
        // Lost the race: the other process's template is in place (rename onto a full folder fails).
        if (!fs.existsSync(pgdata)) throw err;
      }
      // Templates of other migration sets unused for a day go (another checkout sharing this
      // node_modules may still use a recent one).
      for (const old of fs.readdirSync(CACHE)) {
        const p = path.join(CACHE, old);
        if (old.startsWith('pgdata-') && p !== pgdata && fs.statSync(p).mtimeMs < Date.now() - 86_400_000) fs.rmSync(p, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(build, { recursive: true, force: true });
    }
    return pgdata;
  })();
  return template;
}

/**
 * A new temporary DATA_DIR (under the OS temp folder, named `prefix…`) whose embedded database is
 * already created and migrated; the caller removes the folder when done.
 */
export async function freshDataDir(prefix: string): Promise<string> {
  const source = await migratedTemplate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(source, path.join(dir, 'pgdata'), { recursive: true });
  return dir;
}

/** A temporary DATA_DIR for a service: empty when it runs on `databaseUrl`, else `freshDataDir`'s. */
export async function serviceDataDir(prefix: string, databaseUrl: string | undefined): Promise<string> {
  return databaseUrl ? fs.mkdtempSync(path.join(os.tmpdir(), prefix)) : freshDataDir(prefix);
}
