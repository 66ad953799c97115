import type { FeatureCollection, MultiPolygon } from 'geojson';
import { toWgs84 } from '../../core/crs.js';
import type { MultiPolygonCoords } from './geometry.js';

/** A district outline as the generator uses it (WGS84). */
export interface DistrictOutline {
  code: string;
  name: string;
  coordinates: MultiPolygonCoords;
}

interface DataVFeature {
  properties: { adcode: number | string; name: string };
  geometry: { type: 'MultiPolygon' | 'Polygon'; coordinates: unknown };
}

/**
 * Converts the DataV GeoAtlas district file (GCJ-02, as Chinese web maps publish it) to the
 * WGS84 GeoJSON the demo city commits and imports: properties reduced to `code` and `name`.
 * Shared borders stay shared, because the same GCJ-02 vertex always converts to the same point.
 */
export function convertDistricts(source: { features: DataVFeature[] }): FeatureCollection<MultiPolygon> {
  return {
    type: 'FeatureCollection',
    features: source.features.map((f) => {
      const mp = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as MultiPolygonCoords;
      return {
        type: 'Feature',
        properties: { code: String(f.properties.adcode), name: f.properties.name },
        geometry: { type: 'MultiPolygon', coordinates: mp.map((poly) => poly.map((ring) => ring.map(([x, y]) => toWgs84(x, y, 'gcj02')))) },
      };
    }),
  };
}

/** Reads the outlines back from the converted collection. */
export function districtOutlines(fc: FeatureCollection<MultiPolygon>): DistrictOutline[] {
  return fc.features.map((f) => ({
    code: String(f.properties!.code),
    name: String(f.properties!.name),
    coordinates: f.geometry.coordinates as MultiPolygonCoords,
  }));
}
