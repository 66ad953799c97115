import type { FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import { convertDistricts, districtOutlines } from './districts.js';
import { DEMO_SEED, generateJurisdictions, type DemoJurisdictions } from './generate.js';
import { createRng } from './prng.js';
import { generateZones, type ZoneFeatureProps } from './zones.js';

/** Every layer of the demo city, as committed under geo/demo/data/. */
export interface DemoCity extends DemoJurisdictions {
  districts: FeatureCollection<MultiPolygon>;
  zones: FeatureCollection<Geometry, ZoneFeatureProps>;
}

/**
 * Builds the whole demo city from the DataV district outlines (GCJ-02) and a seed: districts
 * converted to WGS84, then towns, communities, grid cells and zones generated inside them.
 * Pure and deterministic: the same source and seed give byte-identical files.
 */
export function generateDemoCity(source: Parameters<typeof convertDistricts>[0], seed = DEMO_SEED): DemoCity {
  const districts = convertDistricts(source);
  const jurisdictions = generateJurisdictions(districtOutlines(districts), seed);
  return { districts, ...jurisdictions, zones: generateZones(jurisdictions, createRng(seed).fork('zones')) };
}
