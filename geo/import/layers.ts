import type { GeoLayer, JurisdictionLevel } from '../types.js';

/** How each import layer relates to the others. */
export interface LayerSpec {
  /** One feature, in report messages. */
  noun: string;
  /** Jurisdiction level stored (grid cells and zones have their own tables). */
  level: JurisdictionLevel | null;
  /** The layer whose active import holds this layer's parents. */
  parentLayer: GeoLayer | null;
  /** The layer whose polygons this layer must tile without gaps (towns for grid cells, as operators check). */
  tilesLayer: GeoLayer | null;
  /** Zones overlap by design (a bridge inside a no-parking area); areas of one level must not. */
  checkOverlaps: boolean;
}

export const LAYERS: Record<GeoLayer, LayerSpec> = {
  districts: { noun: 'district', level: 'district', parentLayer: null, tilesLayer: null, checkOverlaps: true },
  towns: { noun: 'town', level: 'town', parentLayer: 'districts', tilesLayer: 'districts', checkOverlaps: true },
  communities: { noun: 'community', level: 'community', parentLayer: 'towns', tilesLayer: 'towns', checkOverlaps: true },
  grids: { noun: 'grid cell', level: null, parentLayer: 'communities', tilesLayer: 'towns', checkOverlaps: true },
  zones: { noun: 'zone', level: null, parentLayer: null, tilesLayer: null, checkOverlaps: false },
};
