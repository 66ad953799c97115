/**
 * The allowed arrows (.dependency-cruiser.cjs) hold on the whole tree, and the check really
 * fails on an import that runs back up the pipeline: a probe module in geo/ that imports the
 * server is refused, naming both ends.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');

function cruise(...targets: string[]) {
  const r = spawnSync(depcruise, [...targets, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the tree keeps to the allowed arrows', () => {
  const r = cruise('core', 'db', 'ingest', 'geo', 'simulators', 'server', 'test', 'bench', 'web/src');
  assert.equal(r.code, 0, r.out);
});

test('an import from geo/ into the server is refused, naming the offending arrow', (t) => {
  const probe = path.join(root, 'geo', `dependency-probe-${process.pid}.ts`);
  fs.writeFileSync(probe, "import { CLUE_STATUSES } from '../server/clues/clue.js';\nexport const probe = CLUE_STATUSES;\n");
  t.after(() => fs.rmSync(probe, { force: true }));
  const r = cruise(path.relative(root, probe));
  assert.notEqual(r.code, 0, 'depcruise accepted an import that runs back up the pipeline');
  assert.match(r.out, new RegExp(`not-in-allowed: geo/dependency-probe-${process.pid}\\.ts → server/clues/clue\\.ts`));
});
