/**
 * The end-of-run accounting every fault test does (issue 13): sent = stored + dead-lettered,
 * nothing stored twice, everything stored processed, no problem with two open clues.
 */
import type pg from 'pg';
import { waitFor } from '../../ingest/mqtt-kafka-support.js';

export interface EventCounts {
  stored: number;
  /** Distinct (device, event id): more stored than distinct means an event was stored twice. */
  distinct: number;
  processed: number;
  dead: number;
}

/** Counts the device events of the devices whose id matches `like` (a SQL LIKE pattern). */
export async function eventCounts(pool: pg.Pool, like: string): Promise<EventCounts> {
  const r = await pool.query<EventCounts>(
    `SELECT count(*)::int AS stored, count(DISTINCT (device_id, event_id))::int AS distinct,
            count(*) FILTER (WHERE pipeline_error IS NULL AND NOT EXISTS (SELECT 1 FROM pipeline_pending p WHERE p.event_pk = device_events.id))::int AS processed,
            (SELECT count(*)::int FROM dead_letters) AS dead
       FROM device_events WHERE device_id LIKE $1`,
    [like],
  );
  return r.rows[0]!;
}

/**
 * Waits (up to 2 min) until `total` events are stored or dead-lettered and every stored one is
 * processed, then answers the counts as they are: a shortfall is for the test's asserts to show.
 */
export async function settledCounts(pool: pg.Pool, like: string, total: number): Promise<EventCounts> {
  await waitFor('every event to be stored and processed', async () => {
    const c = await eventCounts(pool, like);
    return c.distinct + c.dead >= total && c.processed === c.stored ? c : undefined;
  }, 120_000).catch(() => undefined);
  return eventCounts(pool, like);
}

/** Problems (item and asset) with more than one open clue: a duplicate clue. */
export async function duplicateOpenClues(pool: pg.Pool): Promise<{ item_code: string; asset_key: string; n: number }[]> {
  const r = await pool.query<{ item_code: string; asset_key: string; n: number }>(
    `SELECT item_code, asset_key, count(*)::int AS n FROM clues WHERE status NOT IN ('closed', 'merged') GROUP BY 1, 2 HAVING count(*) > 1`,
  );
  return r.rows;
}
