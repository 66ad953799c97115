/** The bench harness's pure parts: the median and spread of runs, percentiles, ratios and tables. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRatio, formatSummary, markdownTable, percentile, repeat, summarize } from '../../bench/stats.js';

test('summarize: median of odd and even counts, min and max, NaN ignored, empty refused', () => {
  assert.deepEqual(summarize([3, 1, 2]), { runs: 3, median: 2, min: 1, max: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { runs: 4, median: 2.5, min: 1, max: 4 });
  assert.deepEqual(summarize([5, Number.NaN]), { runs: 1, median: 5, min: 5, max: 5 });
  assert.throws(() => summarize([]), /no finite samples/);
  assert.throws(() => summarize([Number.NaN]), /no finite samples/);
});

test('percentile: nearest rank, clamped', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile([7], 99), 7);
});

test('formatSummary and formatRatio give the figure, its spread and the baseline ratio', () => {
  assert.equal(formatSummary({ runs: 3, median: 12345.6, min: 11000, max: 13000 }), '**12,346** (11,000–13,000, 3 runs)');
  assert.equal(formatSummary({ runs: 1, median: 1.25, min: 1.25, max: 1.25 }, 1), '**1.3** (1 run)');
  assert.equal(formatRatio(150, 100), '×1.50');
  assert.equal(formatRatio(150, 0), 'n/a');
});

test('markdownTable escapes pipes, aligns numbers right and refuses ragged rows', () => {
  const t = markdownTable(['a', 'n'], [['x|y', 3]], ['l', 'r']);
  assert.equal(t, '| a | n |\n| --- | ---: |\n| x\\|y | 3 |');
  assert.throws(() => markdownTable(['a', 'b'], [['only one']]), /1 cells, header 2/);
});

test('repeat runs warm-ups unrecorded, then summarises the measured runs', async () => {
  const seen: number[] = [];
  const s = await repeat(3, async (i) => (seen.push(i), i >= 0 ? 10 * (i + 1) : 1000), 2);
  assert.deepEqual(seen, [-1, -2, 0, 1, 2]);
  assert.deepEqual(s, { runs: 3, median: 20, min: 10, max: 30 });
});
