/** docs/SECURITY.md backs each claim with a test: every test file it names must exist. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

test('every test file named in docs/SECURITY.md exists', () => {
  const text = fs.readFileSync(path.join(root, 'docs/SECURITY.md'), 'utf8');
  const named = [...new Set([...text.matchAll(/`(test\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1]!))];
  assert.ok(named.length >= 10, `SECURITY.md names ${named.length} tests`);
  const missing = named.filter((f) => !fs.existsSync(path.join(root, f)));
  assert.deepEqual(missing, []);
});
