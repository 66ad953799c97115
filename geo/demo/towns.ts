import { readDemoFile } from './files.js';

/** A town or street (镇/街道) of the demo city, for the catalogue and empowerment seed. */
export interface DemoTownRef {
  code: string;
  name: string;
  districtCode: string;
}

let cached: DemoTownRef[] | undefined;

/** The demo city's 156 towns, in file order (by district, 街道 first), read once from the committed data. */
export function demoTowns(): DemoTownRef[] {
  cached ??= (JSON.parse(readDemoFile('towns.geojson')) as { features: { properties: { code: string; name: string; parentCode: string } }[] }).features.map(
    ({ properties: p }) => ({ code: p.code, name: p.name, districtCode: p.parentCode }),
  );
  return cached;
}
