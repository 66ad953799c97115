/**
 * The report's named sections: a run that writes one section (a filtered bench, the soak) must
 * leave every other section and the header exactly as they were, and `npm run bench` must keep a
 * section it did not write (the soak's), which a hand-written paragraph outside markers was not.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readSections, sectionBlock, writeSection } from '../../bench/report-sections.js';

const HEADER = '# Benchmarks\n\n| fact | value |\n| --- | --- |\n| date | then |\n\n';
const doc = HEADER + sectionBlock('ingest', 'ingest figures\n') + '\n' + sectionBlock('spatial', 'spatial figures\n');

function tmpReport(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-report-')), 'BENCHMARKS.md');
  fs.writeFileSync(file, text);
  return file;
}

test('a new section goes in name order, and the rest of the file is untouched', () => {
  const file = tmpReport(doc);
  writeSection(file, 'soak', 'soak figures\n');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.startsWith(HEADER), 'the header is kept');
  assert.deepEqual([...readSections(file).entries()], [
    ['ingest', 'ingest figures\n'],
    ['soak', 'soak figures\n'],
    ['spatial', 'spatial figures\n'],
  ]);
  assert.ok(text.indexOf('bench:soak') < text.indexOf('bench:spatial'));
});

test('a section written again replaces only itself', () => {
  const file = tmpReport(doc);
  writeSection(file, 'spatial', 'new spatial\n');
  assert.equal(fs.readFileSync(file, 'utf8'), HEADER + sectionBlock('ingest', 'ingest figures\n') + '\n' + sectionBlock('spatial', 'new spatial\n'));
  writeSection(file, 'ingest', 'new ingest\n');
  assert.deepEqual(Object.fromEntries(readSections(file)), { ingest: 'new ingest\n', spatial: 'new spatial\n' });
});

test('a section sorting last is appended, and a missing report is created', () => {
  const file = tmpReport(doc);
  writeSection(file, 'zzz', 'last\n');
  assert.ok(fs.readFileSync(file, 'utf8').endsWith(sectionBlock('zzz', 'last\n')));
  const fresh = path.join(path.dirname(file), 'new.md');
  writeSection(fresh, 'soak', 'alone\n');
  assert.deepEqual(Object.fromEntries(readSections(fresh)), { soak: 'alone\n' });
});
