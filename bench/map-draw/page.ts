/**
 * The browser half of bench/map-draw.bench.ts: loads the binary clue feed, decodes it with the
 * web's decoder and draws every clue with a deck.gl ScatterplotLayer from typed arrays (no object
 * per clue), then pans and zooms for FRAMES frames (at most MAX_ANIMATION_MS), timing each frame and each render call. Results go to `window.gwResult`.
 */
import { Deck, MapView } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import { decodeClueFeed } from '../../web/src/clue-feed-bin.js';

/** View changes timed after the first draw. */
const FRAMES = 60;
/** Stop the pan and zoom after this long whatever the frames (a loaded machine renders slowly). */
const MAX_ANIMATION_MS = 60_000;

/** RGBA per severity index (info … critical). */
const COLOURS = [
  [120, 144, 156, 200],
  [76, 175, 80, 200],
  [255, 193, 7, 220],
  [255, 87, 34, 230],
  [183, 28, 28, 255],
];

interface Result {
  clues: number;
  bytes: number;
  fetchMs: number;
  decodeMs: number;
  firstDrawMs: number;
  frameMs: number[];
  renderMs: number[];
}

declare global {
  interface Window {
    gwResult?: Result;
    gwError?: string;
  }
}

async function run(): Promise<void> {
  const t0 = performance.now();
  const buf = await (await fetch('/feed.bin')).arrayBuffer();
  const t1 = performance.now();
  const cols = decodeClueFeed(buf);
  const n = cols.count;
  const positions = new Float32Array(2 * n);
  const colours = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    positions[2 * i] = cols.lon[i]!;
    positions[2 * i + 1] = cols.lat[i]!;
    colours.set(COLOURS[cols.severity[i]!]!, 4 * i);
  }
  const t2 = performance.now();
  const frames: number[] = [];
  const renders: number[] = [];
  let first = 0;
  let last = 0;
  let renderStart = 0;
  let view = { longitude: 121.6, latitude: 29.9, zoom: 9.5, pitch: 0, bearing: 0 };
  const layer = new ScatterplotLayer({
    id: 'clues',
    data: { length: n, attributes: { getPosition: { value: positions, size: 2 }, getFillColor: { value: colours, size: 4 } } },
    radiusUnits: 'pixels',
    getRadius: 2,
  });
  const deck = new Deck({
    parent: document.getElementById('map') as HTMLDivElement,
    views: new MapView({ repeat: false }),
    viewState: view,
    controller: false,
    layers: [layer],
    onBeforeRender: () => {
      renderStart = performance.now();
    },
    // The first frame that drew the points: deck.gl may render before the layer is ready.
    onAfterRender: () => {
      const now = performance.now();
      if (!layer.isLoaded) return;
      if (!first) first = now;
      else frames.push(now - last);
      renders.push(now - renderStart);
      last = now;
    },
  });
  // Pan and zoom: FRAMES view changes, one per animation frame, after the first draw.
  await new Promise<void>((resolve) => {
    const wait = () => (first ? resolve() : requestAnimationFrame(wait));
    wait();
  });
  await new Promise<void>((resolve) => {
    let k = 0;
    const begin = performance.now();
    const step = () => {
      const t = k / 30;
      view = { ...view, longitude: 121.6 + 0.15 * Math.sin(t), latitude: 29.9 + 0.1 * Math.cos(t), zoom: 9.5 + Math.sin(t / 2) };
      deck.setProps({ viewState: view });
      if (++k < FRAMES && performance.now() - begin < MAX_ANIMATION_MS) requestAnimationFrame(step);
      else resolve();
    };
    requestAnimationFrame(step);
  });
  // End on the whole city, for the screenshot.
  deck.setProps({ viewState: { longitude: 121.6, latitude: 29.9, zoom: 9.5, pitch: 0, bearing: 0 } });
  await new Promise((r) => setTimeout(r, 300));
  window.gwResult = { clues: n, bytes: buf.byteLength, fetchMs: t1 - t0, decodeMs: t2 - t1, firstDrawMs: first - t0, frameMs: frames, renderMs: renders };
}

run().catch((err: unknown) => {
  window.gwError = String((err as Error)?.stack ?? err);
});
