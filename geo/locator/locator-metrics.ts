import { Counter, Gauge } from 'prom-client';
import { registry } from '../../core/metrics.js';

/** Size of the locator in use, by what it indexes (cells, zones). */
export const locatorFeatures = new Gauge({
  name: 'gridwatch_locator_features',
  help: 'Grid cells and zones in the in-memory locator in use',
  labelNames: ['layer'] as const,
  registers: [registry],
});

/** How long the last locator build took (load excluded), seconds. */
export const locatorBuildSeconds = new Gauge({
  name: 'gridwatch_locator_build_seconds',
  help: 'Time to build the in-memory locator index the last time it was reloaded',
  registers: [registry],
});

/** Locator reloads, by outcome (swapped in, superseded by a newer reload, failed). */
export const locatorReloads = new Counter({
  name: 'gridwatch_locator_reloads_total',
  help: 'Locator reloads from PostGIS, by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
