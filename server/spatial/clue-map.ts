import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { CLUE_STATUSES, type ClueStatus } from '../clues/clue.js';
import { clueFromRow, clueView, clueViewSchema, type ClueRow, type ClueView } from '../clues/stored-clue.js';
import { encodeClueFeed, type FeedGroup } from './clue-feed-codec.js';
import { clusterCellDeg } from './spatial-queries.js';

/** Severities, lowest first: their positions are the feed's severity codes. */
const SEVERITIES = clueViewSchema.shape.severity.options;

const sql = defineQueries(import.meta.url, {
  nearby: 'nearby-clues',
  feed: 'map-feed',
  clusters: 'map-clusters',
  clustersRollup: 'map-clusters-rollup',
});

/** The zoom whose cluster squares are the rollup's fine squares (migration 118, clue_map_square: clusterCellDeg(13)). */
const ROLLUP_ZOOM = 13;

type Bbox = [number, number, number, number];

/** A clue near a point: metres on the spheroid and the bearing from the point (degrees from north). */
export interface NearbyClue {
  clue: ClueView;
  distanceM: number;
  bearingDeg: number | null;
}

/** The clues `user` may see within `radiusM` of a point, nearest first (KNN in PostGIS). */
export async function nearbyClues(pool: pg.Pool, user: User, q: { lon: number; lat: number; radiusM: number; limit: number }): Promise<NearbyClue[]> {
  const { rows } = await pool.query<ClueRow & { distance_m: number; bearing_deg: number | null }>(sql.nearby, [
    ...scopeSqlParams(scopeOf(user)),
    q.lon,
    q.lat,
    q.radiusM,
    q.limit,
  ]);
  return rows.map((r) => ({ clue: clueView(clueFromRow(r)), distanceM: r.distance_m, bearingDeg: r.bearing_deg }));
}

/** The binary clue feed of what `user` may see (clue-feed-codec.ts), optionally within a bbox and statuses. */
export async function clueFeed(pool: pg.Pool, user: User, q: { bbox?: Bbox; status?: ClueStatus[] }): Promise<Buffer> {
  const { rows } = await pool.query<FeedGroup>(sql.feed, [...scopeSqlParams(scopeOf(user)), ...(q.bbox ?? [null, null, null, null]), q.status ?? null]);
  return encodeClueFeed(rows, CLUE_STATUSES, SEVERITIES);
}

/** A cluster of clues: where (mean position), how many, how many per severity. */
export interface ClueCluster {
  lon: number;
  lat: number;
  count: number;
  bySeverity: Record<ClueView['severity'], number>;
}

/**
 * The clues `user` may see in `bbox`, counted per square of about 64 pixels at zoom `z`, biggest
 * first. Up to ROLLUP_ZOOM, for the whole city or a code scope, from the counts kept at write time
 * (map-clusters-rollup.sql); a unit scope (its clues lie anywhere) and finer zooms group the rows.
 */
export async function clueClusters(pool: pg.Pool, user: User, q: { z: number; bbox: Bbox; status?: ClueStatus[] }): Promise<{ cellDeg: number; clusters: ClueCluster[] }> {
  const cellDeg = clusterCellDeg(q.z);
  const [wholeCity, codes, unitId] = scopeSqlParams(scopeOf(user));
  const rollup = q.z <= ROLLUP_ZOOM && (wholeCity || unitId === null);
  const { rows } = await pool.query<{ lon: number; lat: number; count: number } & ClueCluster['bySeverity']>(
    rollup ? sql.clustersRollup : sql.clusters,
    rollup
      ? [wholeCity, codes, ...q.bbox, 2 ** (ROLLUP_ZOOM - q.z), q.status ?? null]
      : [wholeCity, codes, unitId, ...q.bbox, cellDeg, q.status ?? null],
  );
  return {
    cellDeg,
    clusters: rows.map((r) => ({ lon: r.lon, lat: r.lat, count: r.count, bySeverity: { info: r.info, low: r.low, medium: r.medium, high: r.high, critical: r.critical } })),
  };
}
