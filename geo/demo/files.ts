import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureCollection } from 'geojson';
import type { GeoLayer } from '../types.js';

/** The source: DataV GeoAtlas outlines of Ningbo's districts, GCJ-02 (see README). */
export const SOURCE_FILE = 'ningbo-districts.gcj02.geojson';

/** One committed file per import layer, imported in this order (parents first). */
export const DEMO_LAYER_FILES: readonly { layer: GeoLayer; file: string }[] = [
  { layer: 'districts', file: 'ningbo-districts.wgs84.geojson' },
  { layer: 'towns', file: 'towns.geojson' },
  { layer: 'communities', file: 'communities.geojson' },
  { layer: 'grids', file: 'grids.geojson' },
  { layer: 'zones', file: 'zones.geojson' },
];

/** Absolute path of a file in the demo data folder. */
export function demoDataPath(file: string): string {
  return fileURLToPath(new URL(`./data/${file}`, import.meta.url));
}

/**
 * GeoJSON text with one feature per line: diffs of a regenerated city stay readable, and the
 * committed bytes are what the determinism test compares.
 */
export function serialiseCollection(fc: FeatureCollection): string {
  return `{"type":"FeatureCollection","features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}

/** Reads a committed demo file as text. */
export function readDemoFile(file: string): string {
  return fs.readFileSync(demoDataPath(file), 'utf8');
}
