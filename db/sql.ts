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
