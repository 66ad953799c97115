/**
 * `npx gridwatch-sim --help` works after `npm install`: the package's bin is run the way npx runs
 * it (npm exec, no download), the bin's runtime (tsx) is a dependency rather than a dev one, and
 * the packed package ships the bin with the sources it imports.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(cmd, args, { cwd: root, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

test('npx gridwatch-sim --help prints the usage and exits 0', async () => {
  // --no-install: never fetch from the registry; the project's own bin must answer.
  const r = await run('npx', ['--no-install', 'gridwatch-sim', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /npx gridwatch-sim \[options\]/);
  assert.match(r.stdout, /--transport mqtt\|kafka\|http/);
});

test('the bin runs after a plain install: executable, a node shebang, its runtime a dependency, shipped in the package', async () => {
  const bin = path.join(root, pkg.bin['gridwatch-sim']!);
  assert.match(fs.readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok((fs.statSync(bin).mode & 0o111) !== 0, 'the bin is executable');
  assert.ok(pkg.dependencies.tsx, 'tsx, which runs the TypeScript CLI, is installed by a plain `npm install`');
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
  assert.equal(packed.code, 0, packed.stderr);
  const files = new Set((JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  for (const f of ['bin/gridwatch-sim.js', 'simulators/cli.ts', 'simulators/senders.ts', 'simulators/fleet-plan.ts', 'geo/demo/data/zones.geojson'])
    assert.ok(files.has(f), `${f} is in the package`);
});
