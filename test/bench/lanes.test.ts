/**
 * A quick bench run's two lanes: each resource bench-service.ts shares in a quick run (the bare
 * PGlite of `benchDatabase`, the demo service of `benchService`) must be used from one lane only,
 * or two processes would each start their own and the shared-start promise would be broken.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitLanes } from '../../bench/lanes.js';

const benchDir = fileURLToPath(new URL('../../bench', import.meta.url));
const benches = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => ({ name: f.slice(0, -'.bench.ts'.length), source: fs.readFileSync(path.join(benchDir, f), 'utf8') }));

test('every bench runs in exactly one lane, and both lanes have benches', () => {
  const lanes = splitLanes(benches.map((b) => b.name));
  assert.equal(lanes.length, 2);
  assert.deepEqual(lanes.flatMap((l) => l.names).sort(), benches.map((b) => b.name).sort());
});

test('the benches sharing a quick-run resource are all in one lane', () => {
  const lanes = splitLanes(benches.map((b) => b.name));
  for (const shared of ['benchDatabase(', 'benchService(']) {
    const users = benches.filter((b) => b.source.includes(shared)).map((b) => b.name);
    assert.ok(users.length > 1, `${shared} is shared by more than one bench`);
    const holding = lanes.filter((l) => users.some((u) => l.names.includes(u)));
    assert.equal(holding.length, 1, `${users.join(', ')} (${shared}) run in lanes ${holding.map((l) => l.label).join(', ')}`);
  }
});

test('a filter that leaves one lane empty runs a single lane', () => {
  assert.deepEqual(
    splitLanes(['locator', 'locator-scale']).map((l) => l.names),
    [['locator', 'locator-scale']],
  );
});
