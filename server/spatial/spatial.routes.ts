import { Router } from 'express';
import type pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { importRoutes } from './geo-import.routes.js';
import { jurisdictionRoutes } from './jurisdiction.routes.js';

/** Geo endpoints: boundary imports (admin), jurisdictions and zones. */
export function geoRoutes(deps: { pool: pg.Pool; log: Logger; onImported?: () => Promise<void> }): Router {
  const r = Router();
  r.use(importRoutes(deps));
  r.use(jurisdictionRoutes(deps.pool));
  return r;
}
