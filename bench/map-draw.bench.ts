/**
 * Map drawing bench (issue 10): headless Chromium (flags of docs/DESIGN.md §10) loads a binary
 * clue feed of 100,000 clues (the format of GET /api/v1/map/clues, made by the server's encoder),
 * decodes it with web/src/clue-feed-bin.ts and draws it with deck.gl from typed arrays
 * (bench/map-draw/page.ts); then it pans and zooms for 60 frames (at most 60 s). Records the time to first draw and
 * the frame times, and saves a screenshot to test-results/map-draw-100k.png. GW_BENCH_MAP_CLUES
 * changes the count. Run alone: `npx tsx bench/map-draw.bench.ts`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CLUE_STATUSES } from '../server/clues/clue.js';
import { SEVERITIES } from '../server/detection/alert.js';
import { encodeClueFeed } from '../server/spatial/clue-feed-codec.js';
import { prng } from '../test/helpers/prng.js';

const CLUES = Number(process.env.GW_BENCH_MAP_CLUES ?? 100_000);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];
const root = path.resolve(import.meta.dirname, '..');
const screenshot = path.join(root, 'test-results', 'map-draw-100k.png');

/** A feed of `n` clues around Ningbo (70 % around 40 hot spots), as the server encodes it. */
function feed(n: number): Buffer {
  const rand = prng(5);
  const lon = Buffer.alloc(4 * n);
  const lat = Buffer.alloc(4 * n);
  const packed = Buffer.alloc(4 * n);
  const items: string[] = [];
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const hot = rand() < 0.7;
    const h = Math.floor(rand() * 40);
    lon.writeFloatBE(hot ? 121.35 + (h % 8) * 0.07 + (rand() - 0.5) * 0.04 : 121.3 + rand() * 0.6, 4 * i);
    lat.writeFloatBE(hot ? 29.75 + Math.floor(h / 8) * 0.07 + (rand() - 0.5) * 0.04 : 29.7 + rand() * 0.4, 4 * i);
    packed.writeInt32BE(((i % CLUE_STATUSES.length) << 8) | Math.floor(rand() * SEVERITIES.length), 4 * i);
    items.push(`item-${i % 12}`);
    codes.push(`330203-20260301-${String(i + 1).padStart(4, '0')}`);
  }
  return encodeClueFeed({ seq: '0', count: n, lon, lat, packed, items: items.join('\n'), codes: codes.join('\n') }, CLUE_STATUSES, SEVERITIES);
}

const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

export default async function mapDrawBench(): Promise<string> {
  const bundle = await build({ entryPoints: [path.join(import.meta.dirname, 'map-draw/page.ts')], bundle: true, format: 'esm', write: false, minify: true });
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html', fs.readFileSync(path.join(import.meta.dirname, 'map-draw/index.html'))],
    '/page.js': ['text/javascript', bundle.outputFiles[0]!.text],
    '/feed.bin': ['application/octet-stream', feed(CLUES)],
  };
  const server = http.createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]!];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => window.gwResult || window.gwError, null, { timeout: 300_000 });
    const error = await page.evaluate(() => window.gwError);
    if (error) throw new Error(`the map page failed: ${error}`);
    const r = (await page.evaluate(() => window.gwResult))!;
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    const frames = r.frameMs;
    return [
      '## Map: drawing 100,000 clues from the binary feed',
      '',
      `Headless Chromium (\`/usr/bin/chromium\`, software WebGL: SwiftShader, flags of docs/DESIGN.md §10), 1400 × 900. The page (bench/map-draw/page.ts) fetches a feed of ` +
        `${fmt(r.clues, 0)} clues in the format of \`GET /api/v1/map/clues?format=bin\` (made by the server's encoder, server/spatial/clue-feed-codec.ts), decodes it with ` +
        'web/src/clue-feed-bin.ts and draws it with a deck.gl ScatterplotLayer from typed arrays (positions and colours as binary attributes), then pans and zooms, one view change per animation frame for 60 frames (at most 60 s). ' +
        'Time to first draw counts from the start of the fetch to the end of the first frame drawn with the layer loaded. Screenshot: test-results/map-draw-100k.png.',
      '',
      '| clues | feed bytes | fetch ms | decode + columns ms | first draw ms | frames | frame p50 ms | frame p95 ms | frame max ms | render call p50 ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${fmt(r.clues, 0)} | ${fmt(r.bytes, 0)} | ${fmt(r.fetchMs)} | ${fmt(r.decodeMs)} | **${fmt(r.firstDrawMs)}** | ${frames.length} | **${fmt(pct(frames, 50))}** | ${fmt(pct(frames, 95))} | ${fmt(Math.max(...frames))} | ${fmt(pct(r.renderMs, 50))} |`,
      '',
      `Load average (1 min) when the page ran: ${fmt(os.loadavg()[0]!, 2)} on ${os.cpus().length} cores; frame times are wall-clock intervals between rendered frames, render call = deck.gl's draw call alone.`,
      '',
      'Reproduce: `npm run bench -- map-draw`, or `npx tsx bench/map-draw.bench.ts`.',
      '',
    ].join('\n');
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await mapDrawBench());
