import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { defineRoute, type Route } from '../http/define-route.js';

/** Where `npm run web:build` (run by `npm install`'s postinstall) writes the live map. */
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * The built web UI's folder, for createApp's `webRoot`. When it has not been built (installed
 * with --ignore-scripts, or a checkout without `npm install`) the API still runs, and the log
 * says how to get the UI, rather than start-up failing or building with dev tools at run time.
 */
export function builtWebRoot(log: Logger, dir = WEB_DIST): string | undefined {
  if (fs.existsSync(`${dir}/index.html`)) return dir;
  log.warn({ dir }, 'web UI not built: run `npm run web:build` to serve the live map at /');
  return undefined;
}

/** GET /api/v1/map-config for any logged-in user (the map opens after login). */
export function mapConfigRoutes(styleUrl: string | undefined): Route[] {
  return [
    defineRoute(
      {
        method: 'get',
        path: '/api/v1/map-config',
        tag: 'web',
        summary: 'The base-map style for the web UI: MAP_STYLE_URL, or null for the built-in offline style',
        allow: 'session',
        response: z.object({ styleUrl: z.string().nullable() }),
      },
      () => ({ styleUrl: styleUrl ?? null }),
    ),
  ];
}
