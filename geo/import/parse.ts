import { describeIssues } from '../../core/errors.js';
import type { GeoLayer, ZoneType } from '../types.js';
import { LAYERS } from './layers.js';
import type { ProblemLog } from './report.js';
import {
  areaGeometrySchema,
  featureCollectionSchema,
  featureSchema,
  propsSchemaFor,
  zoneGeometrySchema,
  type ImportGeometry,
} from './schemas.js';

/** One feature that passed validation, normalised for staging. */
export interface ParsedFeature {
  /** 0-based position in the file. */
  index: number;
  code: string;
  name: string;
  parentCode: string | null;
  attrs: Record<string, unknown>;
  zoneType: ZoneType | null;
  /** Width each side (metres) for line and point zones; null for areas. */
  bufferM: number | null;
  geometry: ImportGeometry;
}

/** The best label for a feature in a report: its code if it has one, else `#n`. */
function labelOf(props: unknown, index: number): string {
  const p = (typeof props === 'object' && props !== null ? props : {}) as Record<string, unknown>;
  const code = p.code ?? p.adcode;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : `#${index + 1}`;
}

/**
 * Parses a GeoJSON FeatureCollection (text or already-parsed JSON) for one layer. Features
 * whose properties or geometry fail validation are dropped with an `error` each; a file that
 * is not JSON or not a FeatureCollection is `fatal` and returns null. `total` counts every
 * feature in the file, `features` the ones that passed.
 */
export function parseLayerFile(input: string | unknown, layer: GeoLayer, log: ProblemLog): { total: number; features: ParsedFeature[] } | null {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (err) {
      log.add({ kind: 'unparseable', severity: 'fatal', message: `Reading the file as JSON: ${(err as Error).message}` });
      return null;
    }
  }
  const fc = featureCollectionSchema.safeParse(json);
  if (!fc.success) {
    log.add({
      kind: 'unparseable',
      severity: 'fatal',
      message: `Reading the file as a GeoJSON FeatureCollection: ${describeIssues(fc.error.issues).join('; ')}`,
    });
    return null;
  }
  const noun = LAYERS[layer].noun;
  const propsSchema = propsSchemaFor(layer);
  const geometrySchema = layer === 'zones' ? zoneGeometrySchema : areaGeometrySchema;
  const out: ParsedFeature[] = [];
  fc.data.features.forEach((raw, index) => {
    const envelope = featureSchema.safeParse(raw);
    if (!envelope.success) {
      log.add({
        kind: 'bad-properties',
        severity: 'error',
        feature: `#${index + 1}`,
        message: `Reading feature #${index + 1}: not a GeoJSON Feature (${describeIssues(envelope.error.issues).join('; ')}); dropped`,
      });
      return;
    }
    const feature = labelOf(envelope.data.properties, index);
    const props = propsSchema.safeParse(envelope.data.properties);
    if (!props.success) {
      log.add({
        kind: 'bad-properties',
        severity: 'error',
        feature,
        message: `Validating the properties of ${noun} ${feature}: ${describeIssues(props.error.issues).join('; ')}; dropped`,
      });
    }
    const geometry = geometrySchema.safeParse(envelope.data.geometry);
    if (!geometry.success) {
      const type = (envelope.data.geometry as { type?: unknown } | null)?.type;
      log.add({
        kind: 'bad-geometry',
        severity: 'error',
        feature,
        message: `Reading the ${typeof type === 'string' ? type : 'missing'} geometry of ${noun} ${feature}: ${describeIssues(geometry.error.issues).join('; ')}; dropped`,
      });
    }
    if (!props.success || !geometry.success) return;
    const p = props.data;
    const zone = 'type' in p ? p : null;
    const isArea = geometry.data.type === 'Polygon' || geometry.data.type === 'MultiPolygon';
    const bufferM = isArea ? null : (zone?.bufferM ?? (zone?.type === 'route-corridor' ? zone.attrs.bufferM : null));
    if (!isArea && !bufferM) {
      log.add({
        kind: 'bad-geometry',
        severity: 'error',
        feature,
        message: `Reading zone ${feature}: a ${geometry.data.type} zone needs bufferM (metres each side) to become an area; dropped`,
      });
      return;
    }
    out.push({
      index,
      code: p.code,
      name: p.name,
      parentCode: 'parentCode' in p ? (p.parentCode ?? null) : null,
      attrs: zone ? (zone.attrs as Record<string, unknown>) : ('attrs' in p ? (p.attrs ?? {}) : {}),
      zoneType: zone?.type ?? null,
      bufferM,
      geometry: geometry.data,
    });
  });
  return { total: fc.data.features.length, features: out };
}
