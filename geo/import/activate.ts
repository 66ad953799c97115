import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import type { GeoLayer } from '../types.js';

const { LOCK } = defineQueries(import.meta.url, { LOCK: 'lock-layer' });
const { DEACTIVATE } = defineQueries(import.meta.url, { DEACTIVATE: 'deactivate-layer' });
const { ACTIVATE } = defineQueries(import.meta.url, { ACTIVATE: 'activate-import' });
const { FIND } = defineQueries(import.meta.url, { FIND: 'find-import' });

/** Takes the per-layer lock for the rest of the transaction. */
export async function lockLayer(client: pg.PoolClient, layer: GeoLayer): Promise<void> {
  await client.query(LOCK, [layer]);
}

/**
 * Makes `importId` the active import of `layer` inside the caller's transaction (after
 * `lockLayer`), deactivating the previous one. Returns the previously active import id.
 */
export async function swapActive(client: pg.PoolClient, layer: GeoLayer, importId: number): Promise<number | null> {
  const { rows } = await client.query<{ id: string | number }>(DEACTIVATE, [layer]);
  await client.query(ACTIVATE, [importId]);
  // bigint ids arrive as text unless db/database.ts installed its int8 parser.
  return rows[0] ? Number(rows[0].id) : null;
}

/**
 * Re-activates an earlier import (a rollback to a previous version of a layer) in one
 * transaction. Callers then reload the locator. Returns the layer and the import it replaced.
 */
export async function activateImport(pool: pg.Pool, importId: number): Promise<{ layer: GeoLayer; previousImportId: number | null }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ layer: GeoLayer; active: boolean }>(FIND, [importId]);
    const found = rows[0];
    if (!found) throw new GwError('GW_GEO_IMPORT_NOT_FOUND', `Activating geo import ${importId}: there is no such import`);
    await lockLayer(client, found.layer);
    const previousImportId = await swapActive(client, found.layer, importId);
    return { layer: found.layer, previousImportId };
  });
}
