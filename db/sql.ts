import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

/**
 * Reads a `.sql` file once and caches it. SQL lives in files with `$n` parameters,
 * never built by string concatenation: `loadSql(new URL('./find-cell.sql', import.meta.url))`.
 */
export function loadSql(url: URL): string {
  const file = fileURLToPath(url);
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, 'utf8');
    cache.set(file, text);
  }
  return text;
}

/**
 * The one way a module declares its queries: each name maps to a file in the `sql/` folder
 * beside the module (without `.sql`), read once at load.
 * `const sql = defineQueries(import.meta.url, { find: 'find-clue', lock: 'lock-clue' })`.
 */
export function defineQueries<K extends string>(moduleUrl: string, files: Record<K, string>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const [name, file] of Object.entries(files) as [K, string][]) out[name] = loadSql(new URL(`./sql/${file}.sql`, moduleUrl));
  return out;
}
