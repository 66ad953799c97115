/**
 * A bench's own database beside DATABASE_URL's (`<its name>_<suffix>`), so what a bench loads
 * (a million events, 100,000 clues) and the schema it migrates never mix with another's.
 */
import pg from 'pg';
import { loadSql } from '../db/sql.js';

const OWN_DATABASE_SQL = loadSql(new URL('./sql/own-database.sql', import.meta.url));

/** Runs the statement of own-database.sql named `which` for the database `name`, connected through `url`. */
async function run(url: string, name: string, which: 'drop' | 'create'): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ drop: string; create: string }>(OWN_DATABASE_SQL, [name]);
    await admin.query(rows[0]!.drop);
    if (which === 'create') await admin.query(rows[0]!.create);
  } finally {
    await admin.end();
  }
}

/** Drops and creates `<DATABASE_URL's name>_<suffix>`; resolves with its URL, or undefined without DATABASE_URL (embedded). */
export async function freshOwnDatabase(suffix: string): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const u = new URL(url);
  const name = `${u.pathname.slice(1) || 'postgres'}_${suffix}`;
  await run(url, name, 'create');
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops the database `ownUrl` names (made by freshOwnDatabase), connected through DATABASE_URL's. */
export async function dropOwnDatabase(ownUrl: string): Promise<void> {
  await run(process.env.DATABASE_URL!, new URL(ownUrl).pathname.slice(1), 'drop');
}
