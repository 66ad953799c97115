import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { GwError } from '../core/errors.js';
import { defineQueries } from './sql.js';
import { inTransaction, withClient } from './transaction.js';

const sql = defineQueries(import.meta.url, { migrationsTable: 'migrations-table' });

/** Where numbered migrations live: `NNN_name.sql`, applied in order, each in one transaction. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/** Arbitrary constant key for the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_340_112;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Lists the migrations in a folder, ordered by version. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const seen = new Map<number, string>();
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const version = Number(file.slice(0, 3));
      if (seen.has(version)) {
        throw new Error(`Reading migrations in ${dir}: ${file} and ${seen.get(version)} share version ${version}`);
      }
      seen.set(version, file);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      const checksum = crypto.createHash('sha256').update(sql).digest('hex');
      return { version, name: file.slice(4, -4), sql, checksum };
    });
}

/**
 * Applies pending migrations and records them. Refuses to start when an applied migration
 * was edited afterwards (its checksum changed): schema changes go in a new migration; and when
 * the database holds a migration this code does not know (a newer release applied it).
 * Returns the versions it applied.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<number[]> {
  const migrations = readMigrations(dir);
  return withClient(pool, async (client) => {
    // Several app replicas may start at once: one migrates, the others wait and then find nothing to do.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(sql.migrationsTable);
      const rows = (await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).rows;
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      // An older release must not run on a schema a newer one changed under it (docs/SCALING.md,
      // upgrades): migration 115, for one, moved the pipeline's work list, and old code would
      // store events that no instance ever detects.
      const known = new Set(migrations.map((m) => m.version));
      const unknown = rows.filter((r) => !known.has(r.version)).map((r) => r.version);
      if (unknown.length) {
        throw new GwError(
          'GW_DB_SCHEMA_NEWER',
          `Checking the database's migrations against ${dir}: version${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} applied by a newer release, unknown to this one. Run the release that applied them (or newer).`,
        );
      }
      const done: number[] = [];
      for (const m of migrations) {
        const prior = applied.get(m.version);
        if (prior !== undefined) {
          if (prior !== m.checksum) {
            throw new GwError(
              'GW_DB_MIGRATION_CHANGED',
              `Checking migration ${m.version}_${m.name}: it was applied with checksum ${prior.slice(0, 12)}… but the file now has ${m.checksum.slice(0, 12)}…. Put changes in a new migration.`,
            );
          }
          continue;
        }
        try {
          await inTransaction(client, async () => {
            await client.query(m.sql);
            await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
              m.version,
              m.name,
              m.checksum,
            ]);
          });
          done.push(m.version);
        } catch (err) {
          throw new Error(`Applying migration ${m.version}_${m.name}: ${(err as Error).message}`, { cause: err });
        }
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  });
}
