import type pg from 'pg';
import { buildLocator, type LocatorOptions } from './build-locator.js';
import { loadLocator } from './load-locator.js';
import type { Locator } from './locator.js';
import { locatorBuildSeconds, locatorFeatures, locatorReloads } from './locator-metrics.js';

/**
 * Holds the locator in use and swaps in a new one after each geo import. A reload builds the
 * new index completely, then replaces the reference in one assignment: lookups in flight keep
 * the old index, later ones see the new one, and none sees a half-built index. Overlapping
 * reloads are ordered: an older load that finishes late never replaces a newer one.
 */
export class LocatorHolder {
  private locator: Locator;
  private requested = 0;
  private applied = 0;

  constructor(
    private readonly options: LocatorOptions = {},
    initial?: Locator,
  ) {
    this.locator = initial ?? buildLocator({ cells: [], jurisdictions: [], zones: [] }, options);
  }

  /** The locator to use now (an empty one, answering 'outside', until the first reload). */
  current(): Locator {
    return this.locator;
  }

  /** Loads the active layers from PostGIS, builds a new locator and swaps it in (a failure keeps the old one). */
  async reload(pool: pg.Pool): Promise<Locator> {
    const ticket = ++this.requested;
    let next: Locator;
    try {
      next = await loadLocator(pool, this.options);
    } catch (err) {
      locatorReloads.inc({ outcome: 'failed' });
      throw err;
    }
    if (ticket > this.applied) {
      this.applied = ticket;
      this.locator = next;
      locatorReloads.inc({ outcome: 'swapped' });
      locatorFeatures.set({ layer: 'grids' }, next.info.cellCount);
      locatorFeatures.set({ layer: 'zones' }, next.info.zoneCount);
      locatorBuildSeconds.set(next.info.buildMs / 1000);
    } else {
      locatorReloads.inc({ outcome: 'superseded' });
    }
    return this.locator;
  }
}
