/**
 * Regenerates the committed demo city: `npx tsx geo/demo/regen.ts`. Reads the GCJ-02 source
 * outlines, writes every layer under geo/demo/data/ and prints what it wrote.
 */
import fs from 'node:fs';
import { generateDemoCity } from './city.js';
import { DEMO_LAYER_FILES, SOURCE_FILE, demoDataPath, readDemoFile, serialiseCollection } from './files.js';

const t0 = performance.now();
const city = generateDemoCity(JSON.parse(readDemoFile(SOURCE_FILE)));
for (const { layer, file } of DEMO_LAYER_FILES) {
  const text = serialiseCollection(city[layer]);
  fs.writeFileSync(demoDataPath(file), text);
  console.log(`${file}: ${city[layer].features.length} features, ${(text.length / 1e6).toFixed(2)} MB`);
}
console.log(`generated in ${Math.round(performance.now() - t0)} ms`);
