import type pg from 'pg';
import type { z } from 'zod';
import type { PathDoc } from '../core/api-doc.js';
import type { Logger } from '../core/logger.js';
import type { LocatorHolder } from '../geo/locator/locator-holder.js';
import type { DeviceRegistry } from '../ingest/device-registry.js';
import type { IngestSink } from '../ingest/transport.js';
import { HTTP_INGEST_DOC } from '../ingest/transports/http.js';
import { authRoutes } from './auth/auth.routes.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import { catalogueAdminRoutes } from './catalogue/catalogue-admin.routes.js';
import type { CatalogueStore } from './catalogue/catalogue-store.js';
import { catalogueReadRoutes } from './catalogue/catalogue.routes.js';
import { clueRoutes } from './clues/clue.routes.js';
import type { EvidenceChecker } from './clues/clue-record.js';
import { recordRoutes } from './clues/record.routes.js';
import { deadLetterRoutes } from './devices/dead-letter.routes.js';
import { deviceRoutes } from './devices/device.routes.js';
import { calendarRoutes } from './lifecycle/calendar.routes.js';
import { instructionRoutes } from './lifecycle/instruction.routes.js';
import { warningRoutes } from './lifecycle/warning.routes.js';
import { evidenceRoutes } from './evidence/evidence.routes.js';
import { evidenceViewSchema } from './evidence/evidence-store.js';
import { efficiencyRoutes } from './lifecycle/efficiency.routes.js';
import { open311Routes } from './lifecycle/open311.routes.js';
import type { Route } from './http/define-route.js';
import { webhookRoutes } from './outbound/webhook.routes.js';
import { workerDutyRoutes } from './live/worker-duty.js';
import { clueMapRoutes } from './spatial/clue-map.routes.js';
import { layerTileRoutes } from './spatial/layer-tiles.routes.js';
import { geoRoutes } from './spatial/spatial.routes.js';
import { clueViewSchema } from './clues/stored-clue.js';
import { mapConfigRoutes } from './web/web-ui.js';
import { LIVE_DOC } from './live/live-doc.js';

/**
 * What the routes answer from. Route factories only keep these for their handlers and never
 * use them while declaring, so `npm run api:types` can list the routes with no database.
 */
export interface ApiRouteDeps {
  pool: pg.Pool;
  /** The share of the time to a deadline after which its warning falls due (DEADLINE_WARNING_SHARE). */
  warningShare: number;
  log: Logger;
  devices: DeviceRegistry;
  sink: IngestSink;
  locator: LocatorHolder;
  /** Called after a geo import or activation commits (the runtime reloads the locator). */
  onGeoImported: () => Promise<void>;
  mapStyleUrl: string | undefined;
  catalogue: CatalogueStore;
  loginThrottle: LoginThrottle;
  /** Told of every logout, with the revoked token (the embedded broker closes its readers at once). */
  onTokenRevoked: (token: string) => void;
  /** The evidence store's integrity check, for the record's verify. */
  checkEvidence: EvidenceChecker;
  /** DATA_DIR: evidence files live under its evidence/ folder. */
  dataDir: string;
}

/** Every `defineRoute` route the app serves, in mounting order: one list for the server and its API document. */
export function apiRoutes(d: ApiRouteDeps): Route[] {
  return [
    ...authRoutes(d.pool, { throttle: d.loginThrottle, onTokenRevoked: d.onTokenRevoked }),
    ...instructionRoutes(d.pool, { units: () => d.catalogue.current().directory, warningShare: d.warningShare }),
    ...warningRoutes(d.pool),
    ...calendarRoutes(d.pool),
    // Before clueRoutes: GET /api/v1/clues/:code would take /api/v1/clues/nearby.
    ...clueMapRoutes(d.pool),
    ...layerTileRoutes(d.pool),
    ...clueRoutes(d.pool, () => ({
      units: d.catalogue.current().directory,
      history: d.catalogue.current().history,
      locate: (lon, lat) => d.locator.current().locate(lon, lat),
    })),
    ...recordRoutes(d.pool, d.checkEvidence),
    ...evidenceRoutes(d.pool, d.dataDir),
    ...efficiencyRoutes(d.pool),
    ...open311Routes(d.pool, () => d.catalogue.current()),
    ...catalogueReadRoutes(d.pool, d.catalogue),
    ...catalogueAdminRoutes(d.catalogue),
    ...deviceRoutes(d.devices),
    ...deadLetterRoutes(d.pool, d.sink),
    ...geoRoutes({ pool: d.pool, log: d.log, locator: d.locator, onImported: d.onGeoImported }),
    ...webhookRoutes(d.pool),
    ...mapConfigRoutes(d.mapStyleUrl),
    ...workerDutyRoutes(d.pool),
  ];
}

/**
 * What the API document holds besides the routes: the device intake, and the schemas the web
 * names, published under `components.schemas` so that `npm run api:types` gives
 * web/src/api-types.ts the same names (ClueView carries ClueStatus and Severity): the web
 * imports these types instead of copying lists of statuses and severities.
 */
export const API_DOC_PARTS: { docs: readonly PathDoc[]; schemas: readonly z.ZodType[] } = { docs: [HTTP_INGEST_DOC, LIVE_DOC], schemas: [clueViewSchema, evidenceViewSchema] };
