import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import type { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { GwError } from '../../core/errors.js';
import { httpDuration, registry } from '../../core/metrics.js';
import { authenticate } from '../auth/middleware.js';
import { authRoutes } from '../auth/auth.routes.js';
import type { HealthRegistry } from '../../core/health.js';
import type { PathDoc } from '../../core/api-doc.js';
import { openApiDocument as legacyDocument } from '../openapi.js';
import { routesRouter, type Route } from './define-route.js';
import { openApiDocument } from './openapi.js';

export interface AppDeps {
  pool: pg.Pool;
  log: Logger;
  health: HealthRegistry;
  /** Stage routers (geo, ingest, clues…), mounted after auth, in order. */
  routers?: Router[];
  /** Routes declared with `defineRoute`, mounted after auth and documented in the OpenAPI document. */
  routes?: readonly Route[];
  /** Other endpoints the document describes (the device intake). */
  docs?: readonly PathDoc[];
  /** Schemas the document names for its clients (see `openApiDocument`). */
  schemas?: readonly z.ZodType[];
  /** Check JSON responses against their declared schemas (tests and development). */
  checkResponses?: boolean;
  /**
   * Device intake routers, mounted before the JSON body parser and user authentication: they
   * read the raw bytes themselves (a payload that is not JSON must still be kept verbatim as a
   * dead letter) and authenticate devices, not people.
   */
  intakeRouters?: Router[];
  /** Static files for the web UI, if built. */
  webRoot?: string;
  /** Largest JSON body accepted (ingest batches are the big ones). */
  bodyLimit?: string;
}

/** The operational endpoints, served before authentication. */
const OPS_DOCS: PathDoc[] = [
  { method: 'get', path: '/healthz', tag: 'ops', summary: 'Liveness and the state of each dependency', auth: 'public', responses: { '503': 'A dependency is down or starting' } },
  { method: 'get', path: '/metrics', tag: 'ops', summary: 'Prometheus metrics', auth: 'public' },
  { method: 'get', path: '/api/v1/openapi.json', tag: 'ops', summary: 'This document', auth: 'public' },
];

/**
 * The OpenAPI document the app serves at /api/v1/openapi.json: the routes, the operational
 * endpoints, `docs`, the named `schemas` and the paths still registered with server/openapi.ts.
 * Pure, so `npm run api:types` builds the same document without a server.
 */
export function apiDocument(routes: readonly Route[], parts: { docs?: readonly PathDoc[]; schemas?: readonly z.ZodType[] } = {}): Record<string, unknown> {
  const legacy = legacyDocument().paths as Record<string, Record<string, unknown>>;
  return openApiDocument(routes, { docs: [...OPS_DOCS, ...(parts.docs ?? [])], schemas: parts.schemas, paths: legacy });
}

/** Builds the Express 5 app: JSON API under /api/v1, /healthz, /metrics, one error format. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use((req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // Label by route pattern, not raw URL, to keep metric cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const report = await deps.health.report();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  const routes = deps.routes ?? [];
  const doc = apiDocument(routes, { docs: deps.docs, schemas: deps.schemas });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(doc);
  });

  for (const r of deps.intakeRouters ?? []) app.use(r);
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb' }));
  app.use(authenticate(deps.pool));
  app.use(authRoutes(deps.pool));
  app.use(routesRouter(routes, { checkResponses: deps.checkResponses }));
  for (const r of deps.routers ?? []) app.use(r);
  if (deps.webRoot) app.use(express.static(deps.webRoot, { index: 'index.html' }));

  app.use('/api', (req) => {
    throw new GwError('GW_ROUTE_NOT_FOUND', `No endpoint ${req.method} ${req.originalUrl}`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toGwError(err, req);
    if (e.status >= 500) deps.log.error({ err, method: req.method, url: req.originalUrl }, e.message);
    res.status(e.status).json(e.toJSON());
  });
  return app;
}

/** Maps anything thrown in a handler (body-parser errors included) onto the catalogue. */
function toGwError(err: unknown, req: Request): GwError {
  if (err instanceof GwError) return err;
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new GwError('GW_BODY_TOO_LARGE', `Reading the body of ${req.method} ${req.originalUrl}: larger than the limit`);
  }
  if (type === 'entity.parse.failed') {
    return new GwError('GW_BAD_JSON', `Parsing the body of ${req.method} ${req.originalUrl}: ${(err as Error).message}`);
  }
  return new GwError('GW_INTERNAL', `Handling ${req.method} ${req.originalUrl} failed`, undefined, { cause: err });
}
