import { z } from 'zod';
import { crsSchema } from '../../core/crs.js';
import { GEO_LAYERS } from '../types.js';

/**
 * What an import can find wrong. `fatal` aborts the import (nothing lands); `error` drops one
 * feature; `warning` lands the feature (repaired where it says so) and keeps the note.
 */
export const problemSeveritySchema = z.enum(['fatal', 'error', 'warning']);

export const problemKindSchema = z.enum([
  'unparseable', // not JSON, or not a GeoJSON FeatureCollection (fatal)
  'no-features', // nothing left to import (fatal)
  'duplicate-code', // two features share a code (fatal)
  'projected-coordinates', // metres, not degrees (fatal)
  'swapped-coordinates', // [lat, lon] instead of [lon, lat] (fatal)
  'bad-properties', // code/name/parentCode/type/attrs fail validation (error)
  'bad-geometry', // missing, wrong type or malformed rings (error)
  'self-intersection', // repaired with ST_MakeValid (warning; error if nothing is left)
  'invalid-geometry', // any other invalidity, repaired likewise
  'overlap', // two features of the layer share area (warning)
  'gap', // part of a parent not covered by its children (warning)
  'parent-mismatch', // the declared parent does not contain the feature (warning)
  'unknown-parent', // the declared parent is not in the active parent layer (warning)
  'no-parent', // no declared parent and none contains the feature (warning; error for grid cells)
]);
export type ProblemKind = z.infer<typeof problemKindSchema>;

export const problemSchema = z.object({
  kind: problemKindSchema,
  severity: problemSeveritySchema,
  /** The feature's code, or `#n` (1-based position in the file) when it has none. */
  feature: z.string().optional(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/** Which checks ran, and why one was skipped. */
const checkStateSchema = z.union([z.literal('ran'), z.templateLiteral(['skipped: ', z.string()])]);
export type CheckState = z.infer<typeof checkStateSchema>;

/** The import report: stored with the import, printed by the CLI, returned by the API. */
export const importReportSchema = z
  .object({
    layer: z.enum(GEO_LAYERS),
    source: z.string(),
    crs: crsSchema,
    status: z.enum(['imported', 'rejected']),
    features: z.object({ total: z.number(), imported: z.number(), rejected: z.number(), repaired: z.number() }),
    /** Extent of the features that passed validation (WGS84, after any CRS conversion, before buffering), 6 decimals. */
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
    tolerances: z.object({ overlapM2: z.number(), gapM2: z.number() }),
    checks: z.object({ geometry: checkStateSchema, parents: checkStateSchema, overlaps: checkStateSchema, gaps: checkStateSchema }),
    summary: z.object({ fatal: z.number(), errors: z.number(), warnings: z.number(), omitted: z.number() }),
    /** At most `PROBLEMS_PER_KIND` of each kind; `summary.omitted` counts the rest. */
    problems: z.array(problemSchema),
  })
  .meta({ id: 'GeoImportReport' });
export type ImportReport = z.infer<typeof importReportSchema>;

/** Reports list at most this many problems of one kind (a broken 10k-cell file stays readable). */
export const PROBLEMS_PER_KIND = 100;

/** Collects problems in order, capping each kind and counting by severity. */
export class ProblemLog {
  readonly problems: Problem[] = [];
  private readonly perKind = new Map<ProblemKind, number>();
  readonly summary = { fatal: 0, errors: 0, warnings: 0, omitted: 0 };

  add(p: Problem): void {
    if (p.severity === 'fatal') this.summary.fatal++;
    else if (p.severity === 'error') this.summary.errors++;
    else this.summary.warnings++;
    const n = (this.perKind.get(p.kind) ?? 0) + 1;
    this.perKind.set(p.kind, n);
    if (n <= PROBLEMS_PER_KIND) this.problems.push(p);
    else this.summary.omitted++;
  }

  get fatal(): boolean {
    return this.summary.fatal > 0;
  }
}

/** Rounds for stable, readable reports (areas to whole m², coordinates to 1e-6°). */
export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

/** One line per problem, for the CLI and logs. */
export function formatReport(r: ImportReport): string {
  const lines = [
    `${r.status === 'imported' ? 'Imported' : 'REJECTED'} ${r.layer} from ${r.source} (${r.crs}): ` +
      `${r.features.imported} of ${r.features.total} features, ${r.features.repaired} repaired, ${r.features.rejected} dropped; ` +
      `${r.summary.fatal} fatal, ${r.summary.errors} errors, ${r.summary.warnings} warnings`,
    ...Object.entries(r.checks)
      .filter(([, state]) => state !== 'ran')
      .map(([check, state]) => `  check ${check}: ${state}`),
    ...r.problems.map((p) => `  ${p.severity.padEnd(7)} ${p.kind.padEnd(21)} ${p.feature ?? ''} ${p.message}`.replace(/ +$/, '')),
  ];
  if (r.summary.omitted) lines.push(`  … and ${r.summary.omitted} more problems of the same kinds`);
  return lines.join('\n');
}
