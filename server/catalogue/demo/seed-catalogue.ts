import { demoCatalogue, type DemoTown } from './index.js';
import type { CatalogueStore } from '../catalogue-store.js';

/**
 * Demo mode: seeds the demo catalogue (two versions, ≥ 30 items, Ningbo-shaped empowerment)
 * and its units for the demo city's towns, when no catalogue version is stored yet. A replica
 * racing another one is harmless: identical versions are accepted and units are upserted.
 * Returns the versions it added.
 */
export async function seedDemoCatalogue(store: CatalogueStore, towns: readonly DemoTown[], seed: number | string): Promise<number[]> {
  if (store.current().versions.length > 0) return [];
  const { added } = await store.importData(demoCatalogue(towns, seed), 'demo', null);
  return added.map((v) => v.version);
}
