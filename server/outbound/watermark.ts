import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';

const { scanSql } = defineQueries(import.meta.url, { scanSql: 'scan-outbox-ids' });

/**
 * The highest outbox id up to which every row is either visible or will never exist: targets
 * deliver only up to it, so a cursor never moves past a row that is still being committed.
 *
 * Outbox ids come from a sequence, and a transaction that took id 10 may commit after one that
 * took id 11. A reader that saw 11 and moved its cursor past 10 would never deliver 10. So
 * the mark stops at the first missing id (a gap) and remembers the snapshot's xmax then: every
 * transaction that could still commit the missing id was already running (its clue change
 * precedes its outbox row, so it has its xid), and once the oldest running transaction is at
 * or past that xmax they have all ended. A gap still missing then was rolled back, and the
 * mark moves over it. Ids of one clue are in commit order, because the clue store changes the
 * clue row (taking its lock) before it inserts the outbox row.
 */
export class OutboxWatermark {
  private gap?: { id: number; horizon: bigint };

  constructor(
    private readonly pool: pg.Pool,
    private safe: number,
    private readonly scanLimit = 1000,
  ) {}

  /** The current mark, without reading the database. */
  get value(): number {
    return this.safe;
  }

  /** Reads the ids after the mark and moves it as far as is safe; returns the new mark. */
  async advance(): Promise<number> {
    const { rows } = await this.pool.query<{ xmin: string; xmax: string; ids: string[] }>(scanSql, [this.safe, this.scanLimit]);
    const { xmin, xmax, ids } = rows[0]!;
    for (const text of ids) {
      const id = Number(text);
      if (id === this.safe + 1) {
        this.safe = id;
        continue;
      }
      const missing = this.safe + 1;
      if (this.gap?.id === missing && BigInt(xmin) >= this.gap.horizon) {
        // Every transaction that was running when the gap was first seen has ended: rolled back.
        this.gap = undefined;
        this.safe = id;
        continue;
      }
      if (this.gap?.id !== missing) this.gap = { id: missing, horizon: BigInt(xmax) };
      break;
    }
    return this.safe;
  }
}
