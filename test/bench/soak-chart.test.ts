/** The soak chart (bench/soak-chart.ts): a well-formed SVG with one line per measure, escaped title; latency windows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyWindows, soakChart } from '../../bench/soak-chart.js';

test('soakChart: six panels (rate, latency p99, two lag measures, heap, pool wait) with a polyline each, points scaled into the frame, title escaped', () => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ t: i + 1, rate: 1000 + i, heapMb: 80 + i, poolWaitMs: i % 3, pending: 40 + i, oldestPendingS: 0.5 + i / 10 }));
  const windows = [
    { t: 5, p99Ms: 120, answered: 20, lost: 0 },
    { t: 10, p99Ms: 345, answered: 18, lost: 1 },
  ];
  const svg = soakChart(samples, windows, 'soak <2000/s> & chaos');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.ok(svg.includes('soak &lt;2000/s&gt; &amp; chaos'));
  const height = Number(/height="(\d+)"/.exec(svg)![1]);
  const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' '));
  assert.deepEqual(
    lines.map((l) => l.length),
    [10, 2, 10, 10, 10, 10],
  );
  for (const pts of lines) {
    for (const p of pts) {
      const [x, y] = p.split(',').map(Number);
      assert.ok(x! >= 70 && x! <= 700, `x ${x} in the plot`);
      assert.ok(y! >= 52 && y! <= height, `y ${y} in the chart`);
    }
  }
  for (const label of ['intake rate', 'latency p99', 'lag: events in the pipeline work list', 'lag: oldest waiting event', 'heap used', 'DB pool wait']) assert.ok(svg.includes(label), label);
  assert.ok(svg.includes('max 1009'));
  assert.ok(svg.includes('max 345'), 'the worst window p99');
  assert.ok(svg.includes('max 49'), 'the most events waiting');
});

test('soakChart: no samples still gives a frame per panel, marked as empty', () => {
  const svg = soakChart([], [], 'empty');
  assert.equal([...svg.matchAll(/no samples/g)].length, 6);
  assert.ok(!svg.includes('<polyline'));
});

test('latencyWindows: p99 of the answered probes per window, lost ones counted apart, empty windows left out', () => {
  const probes = [
    ...Array.from({ length: 100 }, (_, i) => ({ t: i / 20, ms: i + 1 })), // 0–4.95 s: 1..100 ms
    { t: 3, ms: null },
    { t: 12, ms: 500 },
    { t: 13.5, ms: null },
  ];
  const w = latencyWindows(probes, 5);
  assert.deepEqual(w, [
    { t: 5, p99Ms: 99, answered: 100, lost: 1 },
    { t: 13.5, p99Ms: 500, answered: 1, lost: 1 },
  ]);
  const none = latencyWindows([{ t: 1, ms: null }], 10);
  assert.equal(none.length, 1);
  assert.ok(Number.isNaN(none[0]!.p99Ms));
});
