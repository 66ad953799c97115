import type { LocatorHolder } from '../../geo/locator/locator-holder.js';
import type { Route } from '../http/define-route.js';
import { importRoutes, type ImportRoutesDeps } from './geo-import.routes.js';
import { jurisdictionRoutes } from './jurisdiction.routes.js';
import { locateRoutes } from './locate.routes.js';

/** Geo endpoints: locate a point (answered by `locator`), boundary imports (admin), jurisdictions and zones. */
export function geoRoutes(deps: ImportRoutesDeps & { locator: LocatorHolder }): Route[] {
  return [...locateRoutes(deps.locator), ...importRoutes(deps), ...jurisdictionRoutes(deps.pool)];
}
