/**
 * Map bench (issues 10 and 11): the REAL command centre with 100,000 clues. Starts the service
 * (demo city, simulators off; real PostGIS when DATABASE_URL is set, in a database of its own
 * named after that one + `_map`, emptied each run; else embedded PGlite), loads the clues inside
 * the demo city's districts as column arrays (bench/clue-loader.ts), logs in as the city operator
 * in headless Chromium (flags of docs/DESIGN.md §10, test/web/helpers/role-view.ts) and opens
 * /command. Measures the time from navigation to the first frame with the clue layer drawn (the
 * app's user-timing mark `gridwatch:clue-clusters-drawn`), then pans and zooms with real mouse
 * input (drags and wheel) at the city's zoom (server clusters) and at street zoom (every clue in
 * view a point from the binary feed), timing every animation frame, while live updates (a gas sensor's
 * alarms, a truck's fixes) are posted as device events. Records how often the page fetched the
 * feed (`/api/v1/map/clues`): once, the diffs patch it in place; a second fetch fails the bench.
 * Screenshots: test-results/map-draw-100k-{city,street}.png. Settings: GW_BENCH_MAP_CLUES
 * (100,000; `--quick` 5,000, one drag of 10 moves per phase). Run alone: `npx tsx bench/run.ts map-draw`.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { loadSql } from '../db/sql.js';
import { loadLocator } from '../geo/locator/load-locator.js';
import { loginAs, rigOn, shots, type RoleViewRig } from '../test/web/helpers/role-view.js';
import { ownBenchService } from './bench-service.js';
import { freshOwnDatabase } from './own-database.js';
import { loadBenchClues, type Box } from './clue-loader.js';
import { loadRemark } from './load-remark.js';
import { phase } from './phase-log.js';
import { fmt, markdownTable, percentile } from './stats.js';

const QUICK = process.env.GW_BENCH_QUICK === '1';
const CLUES = Number(process.env.GW_BENCH_MAP_CLUES ?? (QUICK ? 5_000 : 100_000));
/** Drag strokes per phase; each is STEPS mouse moves. */
const DRAGS = QUICK ? 1 : 4;
const STEPS = QUICK ? 10 : 30;
/** Wheel notches from the city's zoom (about 8.5) past 11, where the clues are points. */
const NOTCHES = 12;
/** The most notches the bench zooms in before it gives up waiting for points. */
const MAX_NOTCHES = 40;
/** Where the wheel zooms in: a hot spot of the bench clues in the city's opening view at 1400 × 900 (seen on the city screenshot). */
const HOT_SPOT: [number, number] = [461, 288];
/** The phase log on stderr: seconds since the bench started. */
const log = phase;

/**
 * Awaits `work` for at most `seconds`, logging when it starts and ends; past the bound it throws,
 * naming the wait, so the bench never hangs on something that never comes.
 */
async function bounded<T>(what: string, seconds: number, work: () => Promise<T>): Promise<T> {
  log(`${what}…`);
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`map bench: gave up after ${seconds} s waiting for: ${what}`)), seconds * 1000);
  });
  try {
    const value = await Promise.race([work(), expired]);
    log(`${what}: done in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    return value;
  } finally {
    clearTimeout(timer);
  }
}
const sql = (name: string): string => loadSql(new URL(`./sql/map-draw-${name}.sql`, import.meta.url));

/** The 100k clues, inside the demo city's districts with their real codes (the locator's answer). */
async function loadClues(pool: pg.Pool): Promise<number> {
  const locator = await loadLocator(pool);
  const b = (await pool.query<{ x0: number; y0: number; x1: number; y1: number }>(sql('city-box'))).rows[0]!;
  const box: Box = [b.x0, b.y0, b.x1, b.y1];
  const t0 = performance.now();
  await loadBenchClues(pool, CLUES, {
    seed: 7,
    box,
    end: Date.now(),
    place: (lon, lat) => {
      const r = locator.locate(lon, lat);
      return r.district && !r.fallback ? { district: r.district.code, town: r.town?.code ?? null, community: r.community?.code ?? null, grid: r.grid?.code ?? null } : null;
    },
  });
  await pool.query(sql('analyze'));
  return performance.now() - t0;
}

/** Starts recording the page's animation-frame intervals (ms) into `window.gwFrames`. */
async function recordFrames(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
  await page.evaluate(`(() => {
    window.gwFrames = [];
    window.gwRecording = true;
    let last = performance.now();
    const tick = (t) => {
      window.gwFrames.push(t - last);
      last = t;
      if (window.gwRecording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

/** Stops recording and answers the intervals, without the first (it spans the call). */
async function stopFrames(page: Page): Promise<number[]> {
  const frames = await page.evaluate(() => {
    const w = window as unknown as { gwFrames: number[]; gwRecording: boolean };
    w.gwRecording = false;
    return w.gwFrames;
  });
  return frames.slice(1);
}

/** Pans with DRAGS mouse drags (STEPS moves each, alternating directions) and zooms one notch in and out between them. */
async function panAndZoom(page: Page): Promise<void> {
  const [cx, cy] = [700, 450];
  for (let i = 0; i < DRAGS; i++) {
    const d = i % 2 ? -1 : 1;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + d * 220, cy + d * 120, { steps: STEPS });
    await page.mouse.up();
    await page.mouse.wheel(0, d * -240);
    await sleep(150);
    log(`  drag ${i + 1}/${DRAGS}: ${await page.evaluate(() => (window as unknown as { gwFrames: number[] }).gwFrames.length)} frames so far`);
  }
}

/** The app's first user-timing mark `name`: its time from navigation start (ms), or null before it happens. */
const markAt = (page: Page, name: string): Promise<number | null> => page.evaluate((n) => performance.getEntriesByName(n)[0]?.startTime ?? null, name);

/** How many clues the map's feed holds (the map's `data-clues`). */
const mapClues = async (page: Page): Promise<number> => Number((await page.locator('.command-map .map').getAttribute('data-clues')) || 0);

/**
 * Posts device events as the demo devices would, until `stop()`: a gas sensor alternating a
 * clean and a critical reading (new alarm episodes: a clue opened, then changed) and a waste
 * truck driving (device positions). Answers how many events were accepted.
 */
function liveUpdates(rig: RoleViewRig): { stop(): Promise<number> } {
  const gas = rig.gw.demoDevices.find((d) => d.kind === 'gas-sensor')!;
  const truck = rig.gw.demoDevices.find((d) => d.kind === 'waste-truck')!;
  let running = true;
  let n = 0;
  let sent = 0;
  const post = async (dev: { id: string; token: string }, body: object) => {
    const res = await fetch(`${rig.gw.url}/api/v1/device-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-device-id': dev.id, authorization: `Bearer ${dev.token}` },
      body: JSON.stringify({ eventId: `bench-map-${process.pid}-${n++}`, deviceId: dev.id, ts: new Date().toISOString(), ...body }),
    });
    if (!res.ok) throw new Error(`device event refused: HTTP ${res.status} ${await res.text()}`);
    sent++;
  };
  const loop = (async () => {
    for (let k = 0; running; k++) {
      await post(gas, { kind: 'gas-sensor', position: { lon: 121.55, lat: 29.87 }, lelPct: k % 2 ? 80 : 0 });
      await post(truck, { kind: 'waste-truck', position: { lon: 121.5 + 0.002 * k, lat: 29.86 }, speedKmh: 30, loaded: false, covered: true, body: 'down' });
      await sleep(250);
    }
  })();
  // Seen by stop(); until then a refused event must not crash the process as unhandled.
  loop.catch(() => undefined);
  return {
    async stop() {
      running = false;
      await loop;
      return sent;
    },
  };
}

interface Phase {
  name: string;
  frames: number[];
  /** Clue diffs (opened, changed, closed) the page received during the phase. */
  diffs: number;
}

/** Runs the benchmark; returns its markdown section. */
export default async function mapDrawBench(): Promise<string> {
  const remark = loadRemark();
  // On DATABASE_URL's server, a database of its own (a fresh demo seed, so the demo logins are known).
  const url = await freshOwnDatabase('map');
  const database = url ? 'real PostGIS' : 'embedded PGlite';
  // A service of its own even with --quick: the bench checks that its gas alarms open a new clue,
  // and on the shared service the latency bench's load has left an open clue on every gas sensor.
  const rig = await rigOn(await ownBenchService('gw-bench-map-', url, { CHECK_RESPONSES: '0' }));
  log('service and browser started');
  let updates: { stop(): Promise<number> } | undefined;
  try {
    const loadMs = await loadClues(rig.gw.db.pool);
    log(`${fmt(CLUES)} clues loaded in ${fmt(loadMs / 1000, 1)} s`);
    const { page } = rig;
    await loginAs(rig, 'city-operator');
    const feedRequests: string[] = [];
    page.on('request', (r) => void (new URL(r.url()).pathname === '/api/v1/map/clues' && feedRequests.push(r.url())));
    // Logged as they happen, so a stalled run shows what the page did last.
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && log(`console error: ${m.text()}`)));
    const liveTypes = new Map<string, number>();
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const type = typeof f.payload === 'string' ? (/"type":"([\w-]+)"/.exec(f.payload)?.[1] ?? '?') : 'binary';
        liveTypes.set(type, (liveTypes.get(type) ?? 0) + 1);
      }),
    );
    await bounded('navigation to /command', 60, () => page.goto(`${rig.gw.url}/command`));
    await bounded('the mark gridwatch:clue-clusters-drawn (first map)', 300, () =>
      page.waitForFunction(() => performance.getEntriesByName('gridwatch:clue-clusters-drawn').length > 0, null, { timeout: 0 }),
    );
    const first = await page.evaluate(() => performance.getEntriesByType('mark').find((m) => m.name.startsWith('gridwatch:clue-'))!);
    const firstMap = first.startTime;
    const firstClusters = (await markAt(page, 'gridwatch:clue-clusters-drawn'))!;
    log(`first map after ${fmt(firstMap)} ms`);
    await bounded(`the feed in the map (data-clues >= ${fmt(CLUES)})`, 300, () =>
      page.waitForFunction((n) => Number(document.querySelector('.command-map .map')?.getAttribute('data-clues') || 0) >= n, CLUES, { timeout: 0 }),
    );
    const feed = await page.evaluate(() => {
      const e = performance.getEntriesByType('resource').find((r) => new URL(r.name).pathname === '/api/v1/map/clues') as PerformanceResourceTiming | undefined;
      return e ? { end: e.responseEnd, bytes: e.encodedBodySize } : null;
    });
    const cluesBefore = await mapClues(page);
    await bounded('the city screenshot', 60, () => page.screenshot({ path: path.join(shots, 'map-draw-100k-city.png') }));

    updates = liveUpdates(rig);
    const phases: Phase[] = [];
    const diffCount = () => ['opened', 'changed', 'closed'].reduce((n, t) => n + (liveTypes.get(t) ?? 0), 0);
    let diffsBefore = diffCount();
    await recordFrames(page);
    await bounded('pan and zoom at the city zoom', 600, () => panAndZoom(page));
    phases.push({ name: 'city zoom: server clusters', frames: await stopFrames(page), diffs: diffCount() - diffsBefore });
    log(`city phase: ${phases[0]!.frames.length} frames (p50 ${fmt(percentile(phases[0]!.frames, 50), 1)} ms, p95 ${fmt(percentile(phases[0]!.frames, 95), 1)} ms), ${phases[0]!.diffs} clue diffs`);

    // Zoom in with the wheel (NOTCHES notches of a third of a zoom level each) past zoom 11, then on,
    // notch by notch, until the map draws points: it keeps the server's clusters while more clues
    // than its points budget are in view (web/src/command/clue-form.ts). Then wait for the app's
    // mark of the first frame of points (the map changes form once the move ends).
    const zoomStart = await page.evaluate(() => performance.now());
    const form = () => page.locator('.command-map .map').getAttribute('data-form');
    let notches = 0;
    await bounded('wheel notches in until the map draws points', 300, async () => {
      await page.mouse.move(...HOT_SPOT);
      for (; notches < NOTCHES; notches++) {
        await page.mouse.wheel(0, -240);
        await sleep(100);
      }
      for (; notches < MAX_NOTCHES; notches++) {
        // The form is chosen when a move ends: give it the time to.
        const settled = Date.now() + 3000;
        while (Date.now() < settled && (await form()) !== 'points') await sleep(200);
        if ((await form()) === 'points') return;
        await page.mouse.wheel(0, -240);
      }
      throw new Error(`map bench: still clusters after ${MAX_NOTCHES} wheel notches`);
    });
    const pointsAt = await bounded('the mark gridwatch:clue-points-drawn (street zoom)', 300, async () =>
      (await (
        await page.waitForFunction((t) => performance.getEntriesByName('gridwatch:clue-points-drawn').find((m) => m.startTime > t)?.startTime, zoomStart, { timeout: 0 })
      ).jsonValue())!,
    );
    const inViewAtStreet = Number(await page.locator('.command-map .map').getAttribute('data-in-view'));
    diffsBefore = diffCount();
    await recordFrames(page);
    await bounded('pan and zoom at street zoom', 600, () => panAndZoom(page));
    phases.push({ name: `street zoom (${notches} notches in): points, ${fmt(inViewAtStreet)} of ${fmt(cluesBefore)} clues in view`, frames: await stopFrames(page), diffs: diffCount() - diffsBefore });
    log(`street phase: ${phases[1]!.frames.length} frames (p50 ${fmt(percentile(phases[1]!.frames, 50), 1)} ms, p95 ${fmt(percentile(phases[1]!.frames, 95), 1)} ms), ${phases[1]!.diffs} clue diffs`);
    const sent = await bounded('the live updates to stop', 60, () => updates!.stop());
    // The gas sensor's alarms opened a clue: it must reach the map as a diff, not as a new feed.
    await bounded(`a live diff to add a clue (data-clues > ${fmt(cluesBefore)})`, 60, () =>
      page.waitForFunction((n) => Number(document.querySelector('.command-map .map')?.getAttribute('data-clues') || 0) > n, cluesBefore, { timeout: 0 }),
    );
    const cluesAfter = await mapClues(page);
    await bounded('the street screenshot', 60, () => page.screenshot({ path: path.join(shots, 'map-draw-100k-street.png') }));
    log(`live messages received: ${[...liveTypes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (feedRequests.length !== 1) throw new Error(`map bench: the feed was fetched ${feedRequests.length} times (${feedRequests.join(', ')}); the diffs must patch it in place`);
    if (rig.consoleErrors.length) throw new Error(`map bench: console errors: ${rig.consoleErrors.join('; ')}`);

    return [
      '## Map: the command centre with 100,000 clues (real app, headless Chromium)',
      '',
      `The real service (${database}, demo city, simulators off) with ${fmt(CLUES)} clues loaded inside the demo city's districts (bench/clue-loader.ts, column arrays, ${fmt(loadMs / 1000, 1)} s), ` +
        'then the city operator in headless Chromium (`/usr/bin/chromium`, software WebGL: SwiftShader, flags of docs/DESIGN.md §10, 1400 × 900) opens `/command`. ' +
        'Time to first map: navigation start → the first frame with the clue layer drawn (the app\'s user-timing marks `gridwatch:clue-clusters-drawn` and `gridwatch:clue-points-drawn`, set on the first frame of each new form of the layer; the city opens zoomed out, on the server\'s clusters). ' +
        `Then real mouse input: ${DRAGS} drags of ${STEPS} moves with a wheel notch after each, at the city's zoom, then zoomed in (wheel) until the map draws every clue in view as a point from the binary feed (past zoom 11 and with at most 20,000 clues in view, web/src/command/clue-form.ts), the same again. ` +
        'Frame time = interval between animation frames (requestAnimationFrame) while it ran. Meanwhile a demo gas sensor and a waste truck post device events every 250 ms (clue diffs and truck positions on the live WebSocket). ' +
        'The bench clues are loaded settled (no deadline step pending), so the clue diffs counted per phase are the updates of these devices, not a deadline sweep over the loaded clues.',
      '',
      remark,
      '',
      markdownTable(
        ['measure', 'value'],
        [
          [`time to first map (first frame with the clue layer drawn, as ${first.name.split('-')[1]}), ms`, `**${fmt(firstMap)}**`],
          ['first frame with the clusters of the opening view, ms', fmt(firstClusters)],
          ['feed `/api/v1/map/clues?format=bin` received, ms after navigation', feed ? `${fmt(feed.end)} (${fmt(feed.bytes / 2 ** 20, 1)} MiB)` : 'not in resource timing'],
          ['zoom in from the city to the first frame of points, ms', fmt(pointsAt - zoomStart)],
          ['device events posted while measuring', fmt(sent)],
          ['clues in the map before → after the updates', `${fmt(cluesBefore)} → ${fmt(cluesAfter)}`],
          ['feed fetches (page requests to `/api/v1/map/clues`)', `**${feedRequests.length}** (diffs patched the set in place)`],
        ],
        ['l', 'r'],
      ),
      '',
      markdownTable(
        ['pan and zoom', 'frames', 'frame p50 ms', 'frame p95 ms', 'frame max ms', 'clue diffs received'],
        phases.map((p) => [p.name, p.frames.length, `**${fmt(percentile(p.frames, 50), 1)}**`, `**${fmt(percentile(p.frames, 95), 1)}**`, fmt(Math.max(...p.frames), 1), fmt(p.diffs)]),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
      `Load average (1, 5, 15 min) at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} cores. Screenshots: test-results/map-draw-100k-city.png, test-results/map-draw-100k-street.png.`,
      '',
      'Reproduce: `npm run bench -- map-draw` (`DATABASE_URL=postgres://…/NAME` for real PostGIS: the bench uses NAME_map, which it empties; `--quick`: 5,000 clues), or set GW_BENCH_MAP_CLUES.',
      '',
    ].join('\n');
  } finally {
    // A failure above leaves the updates running: stop them before the service goes.
    await updates?.stop().catch(() => undefined);
    await rig.close();
  }
}
