/**
 * The committed demo city (geo/demo/data/, written by the demo generator) as locator input,
 * read straight from its GeoJSON files, for tests and benchmarks that need real-sized data.
 */
import fs from 'node:fs';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { LocatorData } from '../../../geo/locator/build-locator.js';
import type { MultiPolygonCoords } from '../../../geo/locator/grid-spec.js';
import type { JurisdictionLevel, ZoneType } from '../../../geo/types.js';

const DEMO = new URL('../../../geo/demo/data', import.meta.url);

/** Whether the demo city's grid layer is there. */
export function demoCityExists(): boolean {
  return fs.existsSync(new URL('grids.geojson', DEMO));
}

/** The committed demo layers as locator input (line zones buffered by their `bufferM`, as corridors are). */
export function demoCityData(): LocatorData {
  const read = (file: string): FeatureCollection<Geometry, Record<string, unknown>> => JSON.parse(fs.readFileSync(new URL(file, DEMO), 'utf8'));
  const multi = (g: Geometry, bufferM?: number): MultiPolygonCoords => {
    if (g.type === 'MultiPolygon') return g.coordinates;
    if (g.type === 'Polygon') return [g.coordinates];
    const buffered = turf.buffer(g as Feature['geometry'] & { type: 'LineString' }, bufferM ?? 10, { units: 'meters' })!;
    return multi(buffered.geometry);
  };
  const jurisdictions = (
    [
      ['district', 'ningbo-districts.wgs84.geojson'],
      ['town', 'towns.geojson'],
      ['community', 'communities.geojson'],
    ] as [JurisdictionLevel, string][]
  ).flatMap(([level, file]) =>
    read(file).features.map((f) => ({ level, code: String(f.properties.code), name: String(f.properties.name), parentCode: (f.properties.parentCode as string | undefined) ?? null })),
  );
  return {
    jurisdictions,
    cells: read('grids.geojson').features.map((f) => ({
      code: String(f.properties.code),
      name: String(f.properties.name),
      communityCode: String(f.properties.parentCode),
      geometry: multi(f.geometry),
    })),
    zones: read('zones.geojson').features.map((f) => {
      const attrs = f.properties.attrs as Record<string, unknown>;
      return { code: String(f.properties.code), name: String(f.properties.name), type: f.properties.type as ZoneType, attrs, geometry: multi(f.geometry, (f.properties.bufferM ?? attrs.bufferM) as number | undefined) };
    }),
  };
}
