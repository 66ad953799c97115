import type pg from 'pg';
import { GwError } from '../../core/errors.js';
import { loadSql } from '../../db/sql.js';
import { inScope, type User } from '../auth/users.js';
import type { ClueStatus } from './clue.js';
import { clueFromRow, type ClueRow, type StoredClue } from './stored-clue.js';

const sql = {
  list: loadSql(new URL('./sql/list-clues.sql', import.meta.url)),
  find: loadSql(new URL('./sql/find-clue.sql', import.meta.url)),
  lock: loadSql(new URL('./sql/lock-clue.sql', import.meta.url)),
  timeline: loadSql(new URL('./sql/clue-timeline.sql', import.meta.url)),
};

/**
 * Whether a user may see (and so act on) a clue: its place is in the user's jurisdiction
 * (`inScope` over district, town, community and grid), or the user's unit is the one it is
 * assigned to, told about or shown to. The second clause is what lets a city-level unit such
 * as a bridge custodian, whose officers have no district scope, see its own clues.
 */
export function canSee(user: User, clue: StoredClue): boolean {
  return (
    inScope(user, [clue.districtCode, clue.townCode, clue.communityCode, clue.gridCode]) ||
    (user.unitId !== null && [clue.primaryUnitId, ...clue.coNotifiedUnitIds, ...clue.boardUnitIds].includes(user.unitId))
  );
}

/** List filters (all optional). */
export interface ClueFilter {
  status?: ClueStatus[];
  item?: string;
  town?: string;
  unit?: string;
  /** [min lon, min lat, max lon, max lat], WGS84. */
  bbox?: [number, number, number, number];
  review?: boolean;
  limit: number;
  offset: number;
}

/** The clues `user` may see that match the filter, newest first (the same rule as `canSee`, in SQL). */
export async function listClues(pool: pg.Pool, user: User, f: ClueFilter): Promise<StoredClue[]> {
  const { rows } = await pool.query<ClueRow>(sql.list, [
    // inScope with no codes is true exactly for users without a jurisdiction limit.
    inScope(user, []),
    user.scopes,
    user.unitId,
    f.status ?? null,
    f.item ?? null,
    f.town ?? null,
    f.unit ?? null,
    ...(f.bbox ?? [null, null, null, null]),
    f.review ?? null,
    f.limit,
    f.offset,
  ]);
  return rows.map(clueFromRow);
}

/**
 * One clue `user` may see. A clue they may not see does not exist for them: it answers the same
 * GW_CLUE_NOT_FOUND, with the same message, as a code no clue has, so a code's existence and
 * its town do not leak across jurisdictions. With `forUpdate` (inside a transaction) the row
 * stays locked until it ends.
 */
export async function findVisibleClue(db: pg.Pool | pg.PoolClient, user: User, code: string, forUpdate = false): Promise<StoredClue> {
  const { rows } = await db.query<ClueRow>(forUpdate ? sql.lock : sql.find, [code]);
  const clue = rows[0] ? clueFromRow(rows[0]) : null;
  if (!clue || !canSee(user, clue)) throw new GwError('GW_CLUE_NOT_FOUND', `Looking up clue ${code}: no such clue`);
  return clue;
}

/** A clue's timeline (全过程记录), oldest first. */
export async function clueTimeline(pool: pg.Pool, clueId: number) {
  const { rows } = await pool.query<{ at: Date; actor: string; action: string; from_status: string | null; to_status: string | null; source: string | null; detail: unknown }>(
    sql.timeline,
    [clueId],
  );
  return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail: r.detail }));
}
