import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import compression from 'compression';
import helmet from 'helmet';
import type pg from 'pg';
import type { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { GwError, type ErrorCode } from '../../core/errors.js';
import { httpDuration, registry } from '../../core/metrics.js';
import { isTransientDbError } from '../../db/transient.js';
import { authenticate } from '../auth/middleware.js';
import type { HealthRegistry } from '../../core/health.js';
import type { PathDoc } from '../../core/api-doc.js';
import { routesRouter, type Route } from './define-route.js';
import { openApiDocument } from './openapi.js';
import { opsReader, publicHealth } from './ops-access.js';

export interface AppDeps {
  pool: pg.Pool;
  log: Logger;
  health: HealthRegistry;
  /** Every route, declared with `defineRoute`: mounted after authentication and documented in the OpenAPI document. */
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
  /** MAP_STYLE_URL: its origin is allowed to serve the map style, tiles, glyphs and sprites. */
  mapStyleUrl?: string;
  /** OPS_TOKEN: when set, `/metrics` and the detail of `/healthz` need it (ops-access.ts). */
  opsToken?: string;
}

/** The operational endpoints, served before authentication. */
const OPS_DOCS: PathDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    tag: 'ops',
    summary: 'Liveness and the state of each dependency; the details only with the OPS_TOKEN bearer when one is configured',
    auth: 'public',
    responses: { '503': 'A dependency is down or starting' },
  },
  { method: 'get', path: '/metrics', tag: 'ops', summary: 'Prometheus metrics; needs the OPS_TOKEN bearer when one is configured', auth: 'public', responses: { '401': 'OPS_TOKEN is configured and was not given' } },
  { method: 'get', path: '/api/v1/openapi.json', tag: 'ops', summary: 'This document', auth: 'public' },
];

/**
 * The OpenAPI document the app serves at /api/v1/openapi.json: the routes, the operational
 * endpoints, `docs` and the named `schemas`.
 * Pure, so `npm run api:types` builds the same document without a server.
 */
export function apiDocument(routes: readonly Route[], parts: { docs?: readonly PathDoc[]; schemas?: readonly z.ZodType[] } = {}): Record<string, unknown> {
  return openApiDocument(routes, { docs: [...OPS_DOCS, ...(parts.docs ?? [])], schemas: parts.schemas });
}

/** Builds the Express 5 app: JSON API under /api/v1, /healthz, /metrics, one error format. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(deps.mapStyleUrl));

  app.use((req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // Label by route pattern, not raw URL, to keep metric cardinality bounded.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });

  const mayReadOps = opsReader(deps.opsToken);
  app.get('/healthz', async (req, res) => {
    const report = await deps.health.report();
    res.status(report.status === 'ok' ? 200 : 503).json(mayReadOps(req) ? report : publicHealth(report));
  });
  app.get('/metrics', async (req, res) => {
    if (!mayReadOps(req)) throw new GwError('GW_AUTH_REQUIRED', 'Reading /metrics: this service has an OPS_TOKEN; send it as "Authorization: Bearer <OPS_TOKEN>"');
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
  app.use(routesRouter(routes, { checkResponses: deps.checkResponses }));
  if (deps.webRoot) {
    const root = deps.webRoot;
    // The web app, compressed; hashed assets never change (immutable), index.html is revalidated
    // so a new build is picked up at once. Every other non-API GET is a route of the app (one URL
    // per view and clue), answered with index.html.
    const web = express.Router();
    web.use(compression());
    web.use(
      express.static(root, {
        index: 'index.html',
        setHeaders: (res, file) => res.setHeader('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      }),
    );
    web.get(/^(?!\/api\/).*/, (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      res.sendFile('index.html', { root });
    });
    app.use(web);
  }

  app.use('/api', (req) => {
    throw new GwError('GW_ROUTE_NOT_FOUND', `No endpoint ${req.method} ${req.originalUrl}`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toGwError(err, req);
    // An outage is logged by the pool and shown by /healthz: each request it refuses is only a warning.
    if (e.code === 'GW_DB_UNAVAILABLE') deps.log.warn({ err, method: req.method, url: req.originalUrl }, e.message);
    else if (e.status >= 500 && e.code !== 'GW_AUTH_BUSY') deps.log.error({ err, method: req.method, url: req.originalUrl }, e.message);
    // A streamed answer (an export) that failed half-way: the client must not take it for whole.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Throttling and overload errors say when to come back (details.retryAfterS).
    const retryAfterS = (e.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
    if (typeof retryAfterS === 'number') res.setHeader('Retry-After', String(retryAfterS));
    res.status(e.status).json(e.toJSON());
  });
  return app;
}

/**
 * helmet's headers on every answer (page, API, /healthz, errors), with a CSP the live map runs
 * under: scripts, styles and MapLibre's worker from this origin (workers also from blob:),
 * WebGL, blob: and data: images, and the MAP_STYLE_URL origin for the style and its tiles.
 * Nothing may frame the service (frame-ancestors 'none', X-Frame-Options DENY), and requests
 * are not upgraded to https, since a closed network may serve it over plain http.
 */
function securityHeaders(mapStyleUrl: string | undefined) {
  const style = mapStyleUrl ? [new URL(mapStyleUrl).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'worker-src': ["'self'", 'blob:'],
        'connect-src': ["'self'", ...style],
        'img-src': ["'self'", 'data:', 'blob:', ...style],
        'font-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Seconds a client is asked to wait after a database failure: about one reconnect of the pool. */
const DB_RETRY_AFTER_S = 5;

/** Body-parser error types (its `type` field) and what they are in the catalogue. */
const BODY_ERRORS: Record<string, ErrorCode> = {
  'entity.too.large': 'GW_BODY_TOO_LARGE',
  'entity.parse.failed': 'GW_BAD_JSON',
  'charset.unsupported': 'GW_BODY_UNSUPPORTED',
  'encoding.unsupported': 'GW_BODY_UNSUPPORTED',
  'request.aborted': 'GW_BODY_UNREADABLE',
  'request.size.invalid': 'GW_BODY_UNREADABLE',
};

/**
 * Maps anything thrown in a handler onto the catalogue. Body-parser errors get stable codes by
 * their type; any other error Express or body-parser marks as the client's (a 4xx `status`: a
 * body that does not decompress, a path that is not valid percent-encoding) is a 400. A database
 * failure that passes when tried again (the connection refused or dropped, a backend terminated,
 * a deadlock) is a 503 with Retry-After: the client did nothing wrong and the service is not
 * broken, the database is away for now. The rest is GW_INTERNAL.
 */
function toGwError(err: unknown, req: Request): GwError {
  if (err instanceof GwError) return err;
  const { type, status, errno, message } = err as { type?: string; status?: unknown; errno?: unknown; message?: string };
  const doing = `Reading ${req.method} ${req.originalUrl}`;
  const code = type ? BODY_ERRORS[type] : undefined;
  if (code === 'GW_BODY_TOO_LARGE') return new GwError(code, `${doing}: the body is larger than the limit`);
  if (code) return new GwError(code, `${doing}: ${message}`);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // body-parser passes zlib's own error (it has an errno) when a gzip/deflate/br body does not decompress.
    return new GwError(typeof errno === 'number' ? 'GW_BODY_UNREADABLE' : 'GW_BAD_REQUEST', `${doing}: ${message}`);
  }
  if (isTransientDbError(err)) {
    return new GwError('GW_DB_UNAVAILABLE', `${doing}: the database did not answer; retry shortly`, { retryAfterS: DB_RETRY_AFTER_S }, { cause: err });
  }
  return new GwError('GW_INTERNAL', `Handling ${req.method} ${req.originalUrl} failed`, undefined, { cause: err });
}
