import type pg from 'pg';
import type { Component } from '../../core/components.js';
import { every, type Periodic } from '../../core/every.js';
import type { Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { dayDigest, GENESIS_HASH, sortHeads, type DayHead } from './timeline-chain.js';

const sql = defineQueries(import.meta.url, {
  dayHeads: 'day-heads',
  lock: 'lock-digests',
  last: 'last-digest',
  first: 'first-timeline-row',
  insert: 'insert-digest',
  list: 'list-digests',
});

/** Asia/Shanghai is UTC+8 all year (no DST). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** Advisory lock key of sealing. */
const DIGEST_LOCK = 7_340_170;
/**
 * A day is sealed this long after it ends: a row is stamped with its writer's clock before
 * the writer's transaction commits, so a row of 23:59:59 may land a little after midnight.
 */
export const DIGEST_GRACE_MS = 10 * 60_000;
/** At most this many days sealed in one run (catch-up after long downtime goes on next run). */
const MAX_DAYS_PER_RUN = 400;

/** The local (Asia/Shanghai) date of epoch-ms `ms`, YYYY-MM-DD. */
export function localDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Local midnight starting `day` (YYYY-MM-DD), epoch ms. */
function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

/** A sealed day as stored. */
interface DigestRow {
  day: string;
  prev_digest: string;
  digest: string;
  clue_count: number;
  row_count: number;
  heads: DayHead[];
  created_at: Date;
}

/** Each clue's last row of `day` and the day's row count, from the timeline as it is now. */
async function dayHeads(db: pg.Pool | pg.PoolClient, day: string): Promise<{ heads: DayHead[]; rows: number }> {
  const start = dayStart(day);
  const { rows } = await db.query<{ code: string; seq: number; hash: string; day_rows: number }>(sql.dayHeads, [new Date(start), new Date(start + DAY_MS)]);
  return { heads: sortHeads(rows.map((r) => [r.code, r.seq, r.hash])), rows: rows.reduce((n, r) => n + r.day_rows, 0) };
}

/**
 * Seals every completed local day not sealed yet (每日摘要), oldest first, each chaining from
 * the one before (the first from `GENESIS_HASH`): a day is complete `DIGEST_GRACE_MS` after its
 * end. Runs under an advisory lock and inserts with ON CONFLICT DO NOTHING, so replicas running
 * it at once seal each day once; after downtime it catches up from the last sealed day.
 * Days without rows are sealed too (no clues), so the chain of days has no gaps.
 * Returns the days it sealed.
 */
export async function sealCompletedDays(pool: pg.Pool, now: number): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    await client.query(sql.lock, [DIGEST_LOCK]);
    const last = (await client.query<{ day: string; digest: string }>(sql.last)).rows[0];
    let day: string;
    let prev: string;
    if (last) {
      day = localDay(dayStart(last.day) + DAY_MS);
      prev = last.digest;
    } else {
      const first = (await client.query<{ first: Date | null }>(sql.first)).rows[0]?.first;
      if (!first) return [];
      day = localDay(first.getTime());
      prev = GENESIS_HASH;
    }
    const sealed: string[] = [];
    while (dayStart(day) + DAY_MS + DIGEST_GRACE_MS <= now && sealed.length < MAX_DAYS_PER_RUN) {
      const { heads, rows } = await dayHeads(client, day);
      const digest = dayDigest(day, prev, heads);
      await client.query(sql.insert, [day, prev, digest, heads.length, rows, JSON.stringify(heads)]);
      sealed.push(day);
      prev = digest;
      day = localDay(dayStart(day) + DAY_MS);
    }
    return sealed;
  });
}

/** A sealed day as the API shows it, with what rechecking it found. */
export interface CheckedDigest {
  day: string;
  prevDigest: string;
  digest: string;
  clueCount: number;
  rowCount: number;
  createdAt: string;
  /** True when the digest recomputes, chains from the day before, and the timeline still gives the heads it sealed. */
  ok: boolean;
  /** What is wrong, in words: e.g. 'digest-altered', 'prev-mismatch: …', 'heads-changed: <codes>'. */
  problems: string[];
}

/**
 * The sealed days from `from` to `to` (YYYY-MM-DD, inclusive), each rechecked: its digest
 * recomputed from its previous digest and heads ('digest-altered'), its link to the day before
 * ('prev-mismatch'), and its heads and row count recomputed from the timeline as it is now
 * ('heads-changed: <clue codes>', 'rows-changed').
 */
export async function checkDigests(pool: pg.Pool, from: string, to: string): Promise<CheckedDigest[]> {
  const { rows } = await pool.query<DigestRow>(sql.list, [from, to]);
  const out: CheckedDigest[] = [];
  let before: DigestRow | undefined;
  for (const d of rows) {
    if (d.day >= from) {
      const problems: string[] = [];
      if (dayDigest(d.day, d.prev_digest, d.heads) !== d.digest) problems.push('digest-altered');
      if (before && before.day === localDay(dayStart(d.day) - DAY_MS) && before.digest !== d.prev_digest)
        problems.push(`prev-mismatch: ${before.day} has ${before.digest}, this day chains from ${d.prev_digest}`);
      const now = await dayHeads(pool, d.day);
      const key = (h: DayHead) => JSON.stringify(h);
      const stored = new Set(d.heads.map(key));
      const current = new Set(now.heads.map(key));
      const changed = [...new Set([...d.heads.filter((h) => !current.has(key(h))), ...now.heads.filter((h) => !stored.has(key(h)))].map((h) => h[0]))];
      if (changed.length) problems.push(`heads-changed: ${changed.sort().join(', ')}`);
      if (now.rows !== d.row_count) problems.push(`rows-changed: sealed ${d.row_count}, now ${now.rows}`);
      out.push({
        day: d.day,
        prevDigest: d.prev_digest,
        digest: d.digest,
        clueCount: d.clue_count,
        rowCount: d.row_count,
        createdAt: d.created_at.toISOString(),
        ok: problems.length === 0,
        problems,
      });
    }
    before = d;
  }
  return out;
}

/**
 * The component that seals completed days: once at start (catch-up after downtime), then
 * every `intervalMs`.
 */
export function timelineDigestsComponent(deps: { pool: () => pg.Pool; log: Logger; intervalMs?: number; now?: () => number }): Component {
  let timer: Periodic | undefined;
  const now = deps.now ?? Date.now;
  const run = async () => {
    const sealed = await sealCompletedDays(deps.pool(), now());
    if (sealed.length) deps.log.info({ days: sealed }, 'timeline days sealed');
  };
  return {
    name: 'timeline-digests',
    async start() {
      timer = every('timeline-digests', deps.intervalMs ?? 10 * 60_000, run, deps.log);
      await timer.runNow();
    },
    stop: async () => timer?.stop(),
  };
}
