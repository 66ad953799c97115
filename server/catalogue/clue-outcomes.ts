import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import type { ClueOutcome } from './evaluate.js';

const { outcomesSql } = defineQueries(import.meta.url, { outcomesSql: 'clue-outcomes' });

/** A clue's outcome with the district it lies in, for scoping. */
export type LocatedOutcome = ClueOutcome & { districtCode: string | null };

/** Reads the outcomes of the clues opened in [from, to) from the clues and their timelines. */
export async function readClueOutcomes(pool: pg.Pool, period: { from: number; to: number }, districtCode: string | null): Promise<LocatedOutcome[]> {
  const { rows } = await pool.query<{
    item_code: string;
    town_code: string | null;
    district_code: string | null;
    opened_at: number;
    deadline: number;
    closed_at: number | null;
    transfers: number;
  }>(outcomesSql, [new Date(period.from), new Date(period.to), districtCode]);
  return rows.map((r) => ({
    itemCode: r.item_code,
    townCode: r.town_code,
    districtCode: r.district_code,
    openedAt: r.opened_at,
    deadline: r.deadline,
    closedAt: r.closed_at,
    transfers: r.transfers,
  }));
}
