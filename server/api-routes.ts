import type pg from 'pg';
import type { PathDoc } from '../core/api-doc.js';
import type { Logger } from '../core/logger.js';
import type { LocatorHolder } from '../geo/locator/locator-holder.js';
import type { DeviceRegistry } from '../ingest/device-registry.js';
import type { IngestSink } from '../ingest/transport.js';
import { HTTP_INGEST_DOC } from '../ingest/transports/http.js';
import { deadLetterRoutes } from './devices/dead-letter.routes.js';
import { deviceRoutes } from './devices/device.routes.js';
import type { Route } from './http/define-route.js';
import { webhookRoutes } from './outbound/webhook.routes.js';
import { geoRoutes } from './spatial/spatial.routes.js';
import { WEB_SCHEMAS } from './web/web-contract.js';
import { mapConfigRoutes } from './web/web-ui.js';

/**
 * What the routes answer from. Route factories only keep these for their handlers and never
 * use them while declaring, so `npm run api:types` can list the routes with no database.
 */
export interface ApiRouteDeps {
  pool: pg.Pool;
  log: Logger;
  devices: DeviceRegistry;
  sink: IngestSink;
  locator: LocatorHolder;
  /** Called after a geo import or activation commits (the runtime reloads the locator). */
  onGeoImported: () => Promise<void>;
  mapStyleUrl: string | undefined;
}

/** Every `defineRoute` route the app serves, in mounting order: one list for the server and its API document. */
export function apiRoutes(d: ApiRouteDeps): Route[] {
  return [
    ...deviceRoutes(d.devices),
    ...deadLetterRoutes(d.pool, d.sink),
    ...geoRoutes({ pool: d.pool, log: d.log, locator: d.locator, onImported: d.onGeoImported }),
    ...webhookRoutes(d.pool),
    ...mapConfigRoutes(d.mapStyleUrl),
  ];
}

/** What the API document holds besides the routes: the device intake, and the schemas the web names. */
export const API_DOC_PARTS: { docs: readonly PathDoc[]; schemas: typeof WEB_SCHEMAS } = { docs: [HTTP_INGEST_DOC], schemas: WEB_SCHEMAS };
