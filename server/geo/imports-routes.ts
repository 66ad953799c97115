import express, { Router } from 'express';
import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { activateImport } from '../../geo/import/activate.js';
import { importLayer } from '../../geo/import/import.js';
import { getImport, listImports } from '../../geo/import/list.js';
import { currentUser, requireRole } from '../auth/middleware.js';
import { parseInput, parseQuery } from '../http/validate.js';
import { registerPath } from '../openapi.js';
import { importIdParams, importQuery, listImportsQuery } from './queries.js';

/** GeoJSON files of a whole city's grid run to several MB: sent as application/geo+json they get their own limit. */
const GEOJSON_LIMIT = '64mb';

registerPath({
  method: 'post',
  path: '/api/v1/geo/imports',
  tag: 'geo',
  summary: 'Import one layer from a GeoJSON FeatureCollection (admin)',
  description:
    'Body: a FeatureCollection, as application/json (up to the server body limit) or application/geo+json (up to 64 MB). ' +
    'Validates and checks it in PostGIS, then activates it in one transaction. 201 with the report; 422 with the report when a fatal problem rejected it.',
  query: importQuery,
  responses: { '201': 'Imported and active; the report lists warnings', '422': 'Rejected (error.details.report)' },
});
registerPath({ method: 'get', path: '/api/v1/geo/imports', tag: 'geo', summary: 'Geo imports, newest first, with their report summary (admin)', query: listImportsQuery });
registerPath({ method: 'get', path: '/api/v1/geo/imports/:id', tag: 'geo', summary: 'One geo import with its full report (admin)', responses: { '404': 'No such import' } });
registerPath({
  method: 'post',
  path: '/api/v1/geo/imports/:id/activate',
  tag: 'geo',
  summary: 'Make an earlier import of its layer active again (rollback) (admin)',
  responses: { '404': 'No such import' },
});

export interface ImportRoutesDeps {
  pool: pg.Pool;
  log: Logger;
  /** Called after an import or activation commits: the runtime passes the locator's reload. */
  onImported?: () => Promise<void>;
}

/** Admin endpoints to import boundary layers, list imports and roll back to an earlier one. */
export function importRoutes({ pool, log, onImported }: ImportRoutesDeps): Router {
  const r = Router();
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

  r.post(
    '/api/v1/geo/imports',
    requireRole('admin'),
    express.text({ type: 'application/geo+json', limit: GEOJSON_LIMIT }),
    async (req, res) => {
      const q = parseQuery(importQuery, req.query, 'the geo import query');
      const user = currentUser(req);
      const source = q.source ?? `api upload by ${user.username}`;
      const result = await importLayer(pool, req.body, { layer: q.layer, crs: q.crs, source, createdBy: user.username });
      if (result.importId === null) {
        const first = result.report.problems.find((p) => p.severity === 'fatal');
        throw new GwError('GW_GEO_IMPORT_REJECTED', `Importing ${q.layer} from ${source}: ${first?.message ?? 'rejected'}`, { report: result.report });
      }
      res.status(201).json({ ...result, locator: await reload() });
    },
  );

  r.get('/api/v1/geo/imports', requireRole('admin'), async (req, res) => {
    const q = parseQuery(listImportsQuery, req.query, 'the geo imports query');
    res.json({ imports: await listImports(pool, q.layer ?? null) });
  });

  r.get('/api/v1/geo/imports/:id', requireRole('admin'), async (req, res) => {
    const { id } = parseInput(importIdParams, req.params, 'the geo import id');
    res.json(await getImport(pool, id));
  });

  r.post('/api/v1/geo/imports/:id/activate', requireRole('admin'), async (req, res) => {
    const { id } = parseInput(importIdParams, req.params, 'the geo import id');
    const swapped = await activateImport(pool, id);
    res.json({ importId: id, ...swapped, locator: await reload() });
  });
  return r;
}
