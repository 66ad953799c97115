import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import type { GeoLayer } from '../types.js';
import { LAYERS, type LayerSpec } from './layers.js';
import type { Problem, ProblemLog } from './report.js';

const { RESOLVE } = defineQueries(import.meta.url, { RESOLVE: 'resolve-parents' });
const { REJECT } = defineQueries(import.meta.url, { REJECT: 'reject' });
const { ORPHANS } = defineQueries(import.meta.url, { ORPHANS: 'orphan-cells' });

/** A staged feature's declared parent and what PostGIS found around it. */
export interface ParentFacts {
  ord: number;
  code: string;
  declared: string | null;
  /** Whether the declared parent exists in the active parent import (null when none declared). */
  declaredKnown: boolean | null;
  /** The active parent containing the feature's point-on-surface. */
  containedBy: string | null;
}

/**
 * Judges parent links (pure): a declared parent that does not contain the feature, a declared
 * parent that does not exist, no parent at all. Returns the problems and which features to
 * drop (only grid cells without any community: a cell must belong to one).
 */
export function judgeParents(facts: ParentFacts[], layer: GeoLayer, parentLayer: GeoLayer): { problems: Problem[]; drop: number[] } {
  const spec = LAYERS[layer];
  const parentNoun = LAYERS[parentLayer].noun;
  const problems: Problem[] = [];
  const drop: number[] = [];
  for (const f of facts) {
    const what = `Checking the parent of ${spec.noun} ${f.code}`;
    if (f.declared !== null && f.declaredKnown === false) {
      problems.push({
        kind: 'unknown-parent',
        severity: 'warning',
        feature: f.code,
        message: `${what}: declared ${parentNoun} ${f.declared} is not in the active ${parentLayer} import (kept as declared)`,
        details: { declared: f.declared, containedBy: f.containedBy },
      });
    } else if (f.declared !== null && f.containedBy !== f.declared) {
      problems.push({
        kind: 'parent-mismatch',
        severity: 'warning',
        feature: f.code,
        message: `${what}: declared ${parentNoun} ${f.declared}, but it lies ${f.containedBy ? `in ${f.containedBy}` : `outside every ${parentNoun}`} (kept as declared)`,
        details: { declared: f.declared, containedBy: f.containedBy },
      });
    } else if (f.declared === null && f.containedBy === null) {
      const fatalForCell = layer === 'grids';
      if (fatalForCell) drop.push(f.ord);
      problems.push({
        kind: 'no-parent',
        severity: fatalForCell ? 'error' : 'warning',
        feature: f.code,
        message: `${what}: no parentCode and no active ${parentNoun} contains it; ${fatalForCell ? 'dropped (a grid cell must belong to a community)' : 'imported without a parent'}`,
      });
    }
  }
  return { problems, drop };
}

/** Resolves parents in PostGIS, reports, and drops orphan grid cells. */
export async function checkParents(client: pg.PoolClient, layer: GeoLayer, spec: LayerSpec, log: ProblemLog): Promise<void> {
  const parentLayer = spec.parentLayer!;
  const { rows } = await client.query<{
    ord: number;
    code: string;
    parent_code: string | null;
    declared_known: boolean | null;
    spatial_parent: string | null;
  }>(RESOLVE, [parentLayer]);
  const facts = rows
    .map((r) => ({ ord: r.ord, code: r.code, declared: r.parent_code, declaredKnown: r.declared_known, containedBy: r.spatial_parent }))
    .sort((a, b) => a.ord - b.ord);
  const { problems, drop } = judgeParents(facts, layer, parentLayer);
  for (const p of problems) log.add(p);
  if (drop.length) await client.query(REJECT, [drop]);
}

/** Grid cells without a declared community, when no communities are active, cannot land. */
export async function dropOrphanCells(client: pg.PoolClient, log: ProblemLog): Promise<void> {
  const { rows } = await client.query<{ ord: number; code: string }>(ORPHANS);
  for (const r of rows) {
    log.add({
      kind: 'no-parent',
      severity: 'error',
      feature: r.code,
      message: `Checking the parent of grid cell ${r.code}: no parentCode and no active communities import to find one in; dropped`,
    });
  }
  if (rows.length) await client.query(REJECT, [rows.map((r) => r.ord)]);
}
