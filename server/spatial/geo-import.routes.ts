import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { activateImport } from '../../geo/import/activate.js';
import { importLayer } from '../../geo/import/import.js';
import { getImport, importDetailSchema, importSummarySchema, listImports } from '../../geo/import/list.js';
import { importReportSchema } from '../../geo/import/report.js';
import { GEO_LAYERS } from '../../geo/types.js';
import { defineRoute, type Route } from '../http/define-route.js';
import { importIdParams, importQuery, listImportsQuery } from './spatial-queries.js';

/** GeoJSON files of a whole city's grid run to several MB: sent as application/geo+json they get their own limit. */
const GEOJSON_LIMIT = '64mb';

const locatorState = z.string().describe("The locator after the change: 'reloaded', 'no locator', or 'reload failed: <why>' (the import stands)");
const tag = 'geo';

export interface ImportRoutesDeps {
  pool: pg.Pool;
  log: Logger;
  /** Called after an import or activation commits: the runtime passes the locator's reload. */
  onImported?: () => Promise<void>;
}

/** Admin endpoints to import boundary layers, list imports and roll back to an earlier one. */
export function importRoutes({ pool, log, onImported }: ImportRoutesDeps): Route[] {
  // The import has committed whatever happens next: a failed reload is logged and reported, not a 500.
  const reload = async (): Promise<string> => {
    if (!onImported) return 'no locator';
    try {
      await onImported();
      return 'reloaded';
    } catch (err) {
      log.error({ err }, 'reloading the locator after a geo import failed');
      return `reload failed: ${(err as Error).message}`;
    }
  };

  return [
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/geo/imports',
        tag,
        summary: 'Import one layer from a GeoJSON FeatureCollection (admin)',
        description:
          'Body: a FeatureCollection, as application/json (up to the server body limit) or application/geo+json (up to 64 MB). ' +
          'Validates and checks it in PostGIS, then activates it in one transaction. 201 with the report; 422 with the report (error.details.report) when a fatal problem rejected it.',
        allow: 'geo.import',
        query: importQuery,
        // The import checks the file itself and reports every problem, so the body is not refused here.
        body: z.unknown().describe('A GeoJSON FeatureCollection of the layer'),
        textBody: { type: 'application/geo+json', limit: GEOJSON_LIMIT },
        status: 201,
        response: z.object({ importId: z.number().int(), previousImportId: z.number().int().nullable(), report: importReportSchema, locator: locatorState }),
        errors: ['GW_GEO_IMPORT_REJECTED', 'GW_BAD_JSON', 'GW_BODY_TOO_LARGE'],
      },
      async ({ query: q, body, user }) => {
        const source = q.source ?? `api upload by ${user.username}`;
        const result = await importLayer(pool, body, { layer: q.layer, crs: q.crs, source, createdBy: user.username });
        if (result.importId === null) {
          const first = result.report.problems.find((p) => p.severity === 'fatal');
          throw new GwError('GW_GEO_IMPORT_REJECTED', `Importing ${q.layer} from ${source}: ${first?.message ?? 'rejected'}`, { report: result.report });
        }
        return { importId: result.importId, previousImportId: result.previousImportId, report: result.report, locator: await reload() };
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/geo/imports',
        tag,
        summary: 'Geo imports, newest first, with their report summary (admin)',
        allow: 'geo.import',
        query: listImportsQuery,
        response: z.object({ imports: z.array(importSummarySchema) }),
      },
      async ({ query }) => ({ imports: await listImports(pool, query.layer ?? null) }),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/geo/imports/:id',
        tag,
        summary: 'One geo import with its full report (admin)',
        allow: 'geo.import',
        params: importIdParams,
        response: importDetailSchema,
        errors: ['GW_GEO_IMPORT_NOT_FOUND'],
      },
      ({ params }) => getImport(pool, params.id),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/api/v1/geo/imports/:id/activate',
        tag,
        summary: 'Make an earlier import of its layer active again (rollback) (admin)',
        allow: 'geo.import',
        params: importIdParams,
        response: z.object({ importId: z.number().int(), layer: z.enum(GEO_LAYERS), previousImportId: z.number().int().nullable(), locator: locatorState }),
        errors: ['GW_GEO_IMPORT_NOT_FOUND'],
      },
      async ({ params: { id } }) => {
        const swapped = await activateImport(pool, id);
        return { importId: id, ...swapped, locator: await reload() };
      },
    ),
  ];
}
