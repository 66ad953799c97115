/** The soak chart (bench/soak-chart.ts): a well-formed SVG with one line per measure, escaped title. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soakChart } from '../../bench/soak-chart.js';

test('soakChart: three panels with a polyline each, points scaled into the frame, title escaped', () => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ t: i + 1, rate: 1000 + i, heapMb: 80 + i, poolWaitMs: i % 3 }));
  const svg = soakChart(samples, 'soak <2000/s> & chaos');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.ok(svg.includes('soak &lt;2000/s&gt; &amp; chaos'));
  const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' '));
  assert.equal(lines.length, 3);
  for (const pts of lines) {
    assert.equal(pts.length, 10);
    for (const p of pts) {
      const [x, y] = p.split(',').map(Number);
      assert.ok(x! >= 70 && x! <= 700, `x ${x} in the plot`);
      assert.ok(y! >= 52 && y! <= 600, `y ${y} in the chart`);
    }
  }
  assert.ok(svg.includes('max 1009'));
});

test('soakChart: no samples still gives a frame, marked as empty', () => {
  const svg = soakChart([], 'empty');
  assert.equal([...svg.matchAll(/no samples/g)].length, 3);
  assert.ok(!svg.includes('<polyline'));
});
