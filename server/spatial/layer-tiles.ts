import { createHash } from 'node:crypto';
import type pg from 'pg';
import GeoJSONVT from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import type { MultiPolygon } from 'geojson';
import { defineQueries } from '../../db/sql.js';
import { areaScopeSqlParams, scopeOf } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { LruCache } from './lru-cache.js';

const sql = defineQueries(import.meta.url, { version: 'tile-version', areas: 'tile-areas', grid: 'tile-grid-cells', zones: 'tile-zones' });

/** The layers served as vector tiles; each tile holds one MVT layer of the same name. */
export const TILE_LAYERS = ['district', 'town', 'community', 'grid', 'zone'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

/** Tile coordinates in the web-mercator (XYZ) scheme MapLibre asks for. */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

const EXTENT = 4096;
/**
 * geojson-vt: tiles built up front to z5, the rest on demand; full detail from z18 (a grid cell
 * is ~100 m, finer zooms only magnify); 3 units of the 4096 extent is under a pixel's tolerance.
 */
const INDEX_OPTIONS = { maxZoom: 18, indexMaxZoom: 5, tolerance: 3, extent: EXTENT, buffer: 64 };
/** Part of every ETag: bump it when the same data would make different tiles (options above). */
const TILE_FORMAT = 1;

/** One area as the tile queries return it; `type` only for zones. */
export interface TileFeatureRow {
  code: string;
  name: string;
  type?: string;
  geometry: MultiPolygon;
}

/** A tile index over `rows`: features keep `code`, `name` (and a zone's `type`) for labels. */
export function buildTileIndex(rows: readonly TileFeatureRow[]): GeoJSONVT {
  return new GeoJSONVT(
    {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature' as const,
        properties: r.type === undefined ? { code: r.code, name: r.name } : { code: r.code, name: r.name, type: r.type },
        geometry: r.geometry,
      })),
    },
    INDEX_OPTIONS,
  );
}

/** The tile at `c` as MVT 2 bytes with one layer named `layer`; null when no feature reaches it. */
export function encodeTile(index: GeoJSONVT, layer: TileLayer, c: TileCoord): Uint8Array | null {
  const tile = index.getTile(c.z, c.x, c.y);
  if (!tile || tile.features.length === 0) return null;
  return fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT });
}

/**
 * The ETag of a tile: it changes with the active imports (`version`), the caller's scope, the
 * layer, the coordinates and the tile format, so a 304 needs no tile built.
 */
export function tileEtag(version: string, scopeKey: string, layer: TileLayer, c: TileCoord): string {
  const h = createHash('sha256').update(`${TILE_FORMAT}|${version}|${scopeKey}|${layer}|${c.z}/${c.x}/${c.y}`).digest('base64url');
  return `"${h.slice(0, 27)}"`;
}

/** A user's scope as a cache key: `*` for the whole city, else the sorted codes. */
function scopeKeyOf(user: User): string {
  const s = scopeOf(user);
  return s.wholeCity ? '*' : [...s.codes].sort().join(',');
}

/** A tile for a caller: its ETag and bytes (null: no feature of theirs reaches it). */
export interface LayerTile {
  etag: string;
  body: Uint8Array | null;
}

/**
 * Vector tiles of the boundary, grid and zone layers, made in Node (geojson-vt + vt-pbf) so that
 * PGlite, whose PostGIS lacks ST_AsMVT, and real PostGIS answer alike. One tile index per layer,
 * active-import version and scope, in a small LRU: a scope's index holds only its own features,
 * so another town's cells cannot leak into a tile. The version is read on every request (one
 * small query), so an activation on any replica retires the old indexes everywhere.
 */
export class LayerTiles {
  private readonly indexes: LruCache<string, Promise<GeoJSONVT>>;
  private lastVersion: string | null = null;

  constructor(
    private readonly pool: pg.Pool,
    capacity = 8,
  ) {
    this.indexes = new LruCache(capacity);
  }

  /** The active-import version and the tile's ETag, without building anything. */
  async etag(user: User, layer: TileLayer, c: TileCoord): Promise<{ version: string; etag: string }> {
    const { rows } = await this.pool.query<{ version: string }>(sql.version);
    const version = rows[0]?.version ?? '';
    if (this.lastVersion !== null && version !== this.lastVersion) this.indexes.deleteWhere((k) => !k.startsWith(`${version}|`));
    this.lastVersion = version;
    return { version, etag: tileEtag(version, scopeKeyOf(user), layer, c) };
  }

  /** The tile at `c` of `layer` as `user` may see it (`known`: what `etag` answered just before). */
  async tile(user: User, layer: TileLayer, c: TileCoord, known?: { version: string; etag: string }): Promise<LayerTile> {
    const { version, etag } = known ?? (await this.etag(user, layer, c));
    const index = await this.index(user, layer, version);
    return { etag, body: encodeTile(index, layer, c) };
  }

  /** How many indexes are cached (for tests). */
  get cachedIndexes(): number {
    return this.indexes.size;
  }

  private index(user: User, layer: TileLayer, version: string): Promise<GeoJSONVT> {
    const key = `${version}|${layer}|${scopeKeyOf(user)}`;
    let p = this.indexes.get(key);
    if (!p) {
      // The promise is cached, so concurrent first requests share one build; a failed one is not kept.
      p = this.load(user, layer).then(buildTileIndex);
      p.catch(() => this.indexes.deleteWhere((k) => k === key));
      this.indexes.set(key, p);
    }
    return p;
  }

  private async load(user: User, layer: TileLayer): Promise<TileFeatureRow[]> {
    const scope = areaScopeSqlParams(scopeOf(user));
    const { rows } =
      layer === 'grid'
        ? await this.pool.query<TileFeatureRow>(sql.grid, scope)
        : layer === 'zone'
          ? await this.pool.query<TileFeatureRow>(sql.zones, scope)
          : await this.pool.query<TileFeatureRow>(sql.areas, [...scope, layer]);
    return rows;
  }
}
